import { ServerError } from '../src/errors/server-error';
import { ServiceUnavailable } from '../src/errors/classes';
import { parseOptions } from '../src/options';
import { logToStderr } from '../src/node/stderr-log';
import { serverErrors } from '../src/node/middleware';
import { caught } from './helpers/caught';

describe('serverErrors options', () => {
  it('accepts no options, an empty object and every valid option', () => {
    expect(() => serverErrors()).not.toThrow();
    expect(() => serverErrors({})).not.toThrow();
    expect(() =>
      serverErrors({
        map: [
          [Error, 503],
          ['ECONNABORTED', ServiceUnavailable],
          [() => true, (e) => new ServiceUnavailable({ cause: e })],
        ],
        log: false,
        types: 'about:blank',
        nonStandard: true,
      }),
    ).not.toThrow();
  });

  it('returns a four-parameter handler, so Express treats it as an error handler', () => {
    expect(serverErrors()).toHaveLength(4);
  });

  it.each([
    [
      { mapp: [] },
      TypeError,
      'ERR_SERVER_ERRORS_UNKNOWN_OPTION',
      /unknown option "mapp"\. Did you mean "map"\?/,
    ],
    [
      { logger: false },
      TypeError,
      'ERR_SERVER_ERRORS_UNKNOWN_OPTION',
      /unknown option "logger"\. Did you mean "log"\?/,
    ],
    [
      { retryAfter: 5 },
      TypeError,
      'ERR_SERVER_ERRORS_UNKNOWN_OPTION',
      /unknown option "retryAfter"\. Known options: map, log, types, nonStandard, typeBase, debug, traceId, customize, openTelemetry\./,
    ],
    [
      'strict',
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTIONS',
      /the options must be an options object; received "strict"/,
    ],
    [
      { map: 'x' },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "map" must be an array of \[matcher, target\] rules; received "x"/,
    ],
    [
      { map: [[Error]] },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "map\[0\]" must be a \[matcher, target\] pair/,
    ],
    [
      { map: [['', 503]] },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "map\[0\]\[0\]" must be an error class, a non-empty error code string/,
    ],
    [
      { map: [[Error, 600]] },
      RangeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "map\[0\]\[1\]" must be a status from 500 to 599.*; received 600\./,
    ],
    [{ map: [[Error, 404]] }, RangeError, 'ERR_SERVER_ERRORS_INVALID_OPTION', /received 404\./],
    [{ map: [[Error, 503.5]] }, RangeError, 'ERR_SERVER_ERRORS_INVALID_OPTION', /received 503\.5\./],
    [{ map: [[Error, '503']] }, TypeError, 'ERR_SERVER_ERRORS_INVALID_OPTION', /received "503"\./],
    [
      { map: [[Error, ServerError]] },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /ServerError itself needs a status/,
    ],
    [
      { log: true },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "log" must be a function \(record, req\) => void, or false; received true/,
    ],
    [
      { types: 'rfc' },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "types" must be "spec" or "about:blank"; received "rfc"/,
    ],
    [
      { nonStandard: 'yes' },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "nonStandard" must be a boolean; received "yes"/,
    ],
  ])('refuses %p at start-up with a %p', (options, Kind, code, message) => {
    const error = caught(() => serverErrors(options as never));
    expect(error).toBeInstanceOf(Kind);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(/^serverErrors\(\): /);
    expect(error.message).toMatch(message);
  });

  it('names every problem at once, first the first', () => {
    const error = caught(() => serverErrors({ log: 1, types: 2 } as never));
    expect(error.message).toMatch(/^serverErrors\(\): option "log"/);
    expect(error.message).toMatch(/\nAlso:\n- serverErrors\(\): option "types"/);
  });

  it('lists each further problem on a line of its own', () => {
    const error = caught(() => serverErrors({ log: 1, types: 2, debug: 3 } as never));
    expect(error.message.split('\n').slice(1)).toEqual([
      'Also:',
      expect.stringMatching(/^- serverErrors\(\): option "types"/),
      expect.stringMatching(/^- serverErrors\(\): option "debug"/),
    ]);
  });

  it('gives the ServerError hint only for ServerError itself', () => {
    const error = caught(() => serverErrors({ map: [['E_X', 404]] } as never));
    expect(error.message).not.toContain('ServerError itself');
  });

  it('takes options that merely have method and headers keys for unknown options, not a request', () => {
    const error = caught(() => serverErrors({ method: 'GET', headers: {} } as never));
    expect(error.code).toBe('ERR_SERVER_ERRORS_UNKNOWN_OPTION');
  });

  it('explains app.use(serverErrors) written without the call', () => {
    const req = { method: 'GET', url: '/', headers: {}, socket: {} };
    const error = caught(() => (serverErrors as (req: unknown) => unknown)(req));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe('ERR_SERVER_ERRORS_NOT_CALLED');
    expect(error.message).toContain('app.use(serverErrors())');
  });

  it('is silent by default under NODE_ENV=test and logs to stderr otherwise', () => {
    const env = process.env.NODE_ENV;
    try {
      const defaults = { log: logToStderr };
      process.env.NODE_ENV = 'test';
      expect(parseOptions({}, defaults).log).toBeUndefined();
      process.env.NODE_ENV = 'production';
      expect(parseOptions({}, defaults).log).toBe(logToStderr);
      expect(parseOptions({ log: false }, defaults).log).toBeUndefined();
    } finally {
      process.env.NODE_ENV = env;
    }
  });
});
