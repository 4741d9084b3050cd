import fc from 'fast-check';

import { renderText } from '../../src/render/text';
import {
  anyProblem,
  DEBUG,
  debugProblem,
  hostileMembers,
  INJECTION,
  input,
  oversizedMembers,
  problem503,
  problem511,
  SPEC_503,
  THROWING_PROBLEM,
  TRACE_ID,
} from '../helpers/render-inputs';

// Anything a terminal could act on: every control but LF, and the Unicode
// separators and bidi controls.
const TERMINAL_UNSAFE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('renderText', () => {
  it('renders a 503 as lines: status, detail, retry advice, type, trace id', () => {
    expect(renderText(input(problem503(), '120'))).toBe(
      '503 Service Unavailable\n' +
        'Down for maintenance.\n' +
        'Retry after 120 seconds.\n' +
        `Type: ${SPEC_503}\n` +
        `Trace id: ${TRACE_ID}\n`,
    );
  });

  it.each([
    ['1', 'Retry after 1 second.'],
    ['0', 'Retry after 0 seconds.'],
    ['Tue, 01 Jan 2030 00:00:00 GMT', 'Retry after Tue, 01 Jan 2030 00:00:00 GMT.'],
  ])('says Retry-After %j as %j', (retryAfter, line) => {
    expect(renderText(input(problem503(), retryAfter)).split('\n')).toContain(line);
  });

  it('says nothing of a malformed Retry-After', () => {
    expect(renderText(input(problem503(), '\u001b[2J'))).not.toContain('Retry');
  });

  it('gives the login URL of a 511', () => {
    expect(renderText(input(problem511('https://wifi.example.com/login')))).toContain(
      'Log in at: https://wifi.example.com/login\n',
    );
  });

  it.each(['javascript:alert(1)', '//evil.example', 'data:text/plain,x'])(
    'leaves out a 511 loginUrl %j',
    (url) => {
      expect(renderText(input(problem511(url)))).not.toMatch(/Log in|loginUrl|evil|alert|data:/);
    },
  );

  it('lists other members as "name: value" lines, text as is and anything else as JSON', () => {
    expect(
      renderText(input(problem503({ region: 'eu-west-1', limits: { rps: 10 }, tags: ['a'] }))),
    ).toContain(`Trace id: ${TRACE_ID}\nregion: eu-west-1\nlimits: {"rps":10}\ntags: ["a"]\n`);
  });

  it('keeps markup as it is: a terminal does not run it', () => {
    expect(renderText(input(problem503({ detail: INJECTION })))).toContain(`\n${INJECTION}\n`);
  });

  it('strips escape sequences, CR and other controls from every value', () => {
    const text = renderText(
      input(
        problem503({
          detail: 'a\u001b[2J\u001b]0;pwned\u0007b\rc\u009b31md\u202eevil\u2028e\tf',
          ['k\u001b[31m']: 'v\u0000',
        }),
      ),
    );
    expect(text).not.toMatch(TERMINAL_UNSAFE);
    expect(text).toContain('\na[2J]0;pwnedbc31mdevile f\n');
    expect(text).toContain('\nk[31m: v\n');
  });

  it('indents the continuation lines of a value, so none can pass for a line of its own', () => {
    const text = renderText(
      input(problem503({ detail: 'first\nTrace id: forged', note: 'a\r\nType: forged' })),
    );
    expect(text).toContain('\nfirst\n  Trace id: forged\n');
    expect(text).toContain('\nnote: a\n  Type: forged\n');
    expect(text.split('\n').filter((line) => line.startsWith('Trace id:'))).toEqual([
      `Trace id: ${TRACE_ID}`,
    ]);
  });

  it('keeps member names and one-line fields on one line', () => {
    const text = renderText(
      input({ ...problem503({ ['a\nb']: 1 }), title: 'Service\nUnavailable', traceId: 'x\ny' }),
    );
    expect(text).toMatch(/^503 Service Unavailable\n/);
    expect(text).toContain('\nTrace id: x y\n');
    expect(text).toContain('\na b: 1\n');
  });

  it('adds the debug information only when debug is given', () => {
    expect(renderText(input(debugProblem(), undefined, DEBUG))).toBe(
      '503 Service Unavailable\n' +
        'Down for maintenance.\n' +
        `Type: ${SPEC_503}\n` +
        `Trace id: ${TRACE_ID}\n` +
        '\n' +
        'Debug information\n' +
        'Message: pool exhausted <after 3 tries>\n' +
        'Stack: ServiceUnavailable: pool exhausted <after 3 tries>\n' +
        '      at getConnection (/app/db.js:10:5)\n' +
        'Cause 1: Error: connect ECONNREFUSED 127.0.0.1:5432 (code ECONNREFUSED)\n' +
        '      at TCPConnectWrap.afterConnect (node:net:1555:16)\n',
    );
    const without = renderText(input(debugProblem()));
    expect(without).not.toContain('Debug information');
    // Without debug, these are members like any other.
    expect(without).toContain('\nmessage: pool exhausted <after 3 tries>\n');
  });

  it('survives hostile and oversized members', () => {
    const text = renderText(input(problem503({ ...hostileMembers(), ...oversizedMembers() })));
    expect(text).toContain('\ncycle: {"name":"loop"}\n');
    expect(text).toContain('\nbig: 12345678901234567890\n');
    expect(text).not.toMatch(TERMINAL_UNSAFE);
  });

  it('answers a problem that throws on every read with a line', () => {
    expect(renderText(input(THROWING_PROBLEM))).toBe('Error\n');
  });

  it('never throws and never emits a control character but LF, whatever the problem holds', () => {
    fc.assert(
      fc.property(anyProblem, fc.option(fc.string(), { nil: undefined }), (problem, retryAfter) => {
        const text = renderText(input(problem, retryAfter, DEBUG));
        expect(text).not.toMatch(TERMINAL_UNSAFE);
        expect(text.endsWith('\n')).toBe(true);
      }),
      { numRuns: 200 },
    );
    // Hundreds of runs take seconds when the whole suite shares the CPU.
  }, 30_000);
});
