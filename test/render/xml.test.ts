import fc from 'fast-check';

import { renderXml } from '../../src/render/xml';
import {
  anyProblem,
  debugProblem,
  DEBUG,
  hostileMembers,
  input,
  oversizedMembers,
  problem503,
  SPEC_503,
  THROWING_PROBLEM,
  TRACE_ID,
} from '../helpers/render-inputs';

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
const OPEN = '<problem xmlns="urn:ietf:rfc:7807">';

function xml(extra: Record<string, unknown>): string {
  return renderXml(input({ type: 'about:blank', title: 'T', status: 500, ...extra }));
}

/** The members after the standard ones, as rendered. */
function extensions(extra: Record<string, unknown>): string {
  return xml(extra).replace(
    `${DECLARATION}${OPEN}<type>about:blank</type><title>T</title><status>500</status>`,
    '',
  );
}

// XML 1.0 §2.2 Char.
const NOT_XML_CHAR = /[^\t\n\r\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;
// XML 1.0 §2.3: only space, tab, CR and LF are white space (S) between a name and the rest.
const TOKEN =
  /<(\/?)([^ \t\r\n/<>&"'=]+)( xmlns="urn:ietf:rfc:7807")?(\/?)>|&(?:amp|lt|gt|quot|apos|#13);|[^<>&]+/uy;

/**
 * A strict check of the XML this renderer writes (no parser is installed; the
 * browser suite parses it with DOMParser too): the declaration, then one root
 * in the RFC 7807 namespace, balanced tags, legal names and characters, and
 * only predefined references.
 */
function expectWellFormed(text: string): void {
  const fail = (why: string, at: number) => {
    throw new Error(`${why} at ${at}: ${JSON.stringify(text.slice(at, at + 60))}`);
  };
  if (!text.startsWith(DECLARATION)) fail('no declaration', 0);
  const illegal = NOT_XML_CHAR.exec(text);
  if (illegal !== null) fail('a character XML 1.0 excludes', illegal.index);
  const open: string[] = [];
  let roots = 0;
  TOKEN.lastIndex = DECLARATION.length;
  while (TOKEN.lastIndex < text.length) {
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (match === null) return fail('not a tag, a reference or text', at);
    const [, closing, name, xmlns, empty] = match;
    if (name === undefined) {
      if (open.length === 0) fail('content outside the root', at);
      continue;
    }
    // Not the full Name production (the browser's parser checks that), but
    // nothing it allows: no start with a NameChar that cannot start, no
    // ASCII or Latin-1 character outside NameChar, no colon, no "xml" prefix.
    if (
      // The combining marks are meant: they may follow a name's first character, not be it.
      // eslint-disable-next-line no-misleading-character-class
      /^[-.0-9\u00b7\u0300-\u036f\u203f\u2040]|^xml/iu.test(name) ||
      /[\x00-\x2c/:-@[-^`{-\xb6\xb8-\xbf\xd7\xf7\p{Cs}\ufffe\uffff]/u.test(name)
    ) {
      fail('a bad name', at);
    }
    const root = open.length === 0;
    if (root && (closing || name !== 'problem' || xmlns === undefined || roots++ > 0)) fail('a bad root', at);
    if (!root && xmlns !== undefined) fail('a misplaced xmlns', at);
    if (closing && (empty || open.pop() !== name)) fail('an unbalanced end tag', at);
    if (!closing && !empty) open.push(name);
  }
  if (open.length > 0 || roots !== 1) fail('unclosed elements', text.length);
}

describe('renderXml', () => {
  it('writes the declaration and the standard members in order, in the RFC 7807 namespace', () => {
    const text = renderXml(input(problem503(), '120'));
    expect(text).toBe(
      `${DECLARATION}${OPEN}<type>${SPEC_503}</type><title>Service Unavailable</title><status>503</status>` +
        `<detail>Down for maintenance.</detail><instance>/orders</instance><traceId>${TRACE_ID}</traceId></problem>`,
    );
    expectWellFormed(text);
  });

  it('puts the standard members first whatever order the problem holds them in', () => {
    const text = renderXml(
      input({ region: 'eu', status: 502, instance: '/x', title: 'Bad Gateway', type: 'about:blank' }),
    );
    expect(text).toContain(
      `${OPEN}<type>about:blank</type><title>Bad Gateway</title><status>502</status><instance>/x</instance><region>eu</region></problem>`,
    );
  });

  it('renders objects as child elements and arrays as repeated <i> elements', () => {
    expect(extensions({ upstream: { name: 'payments', ports: [80, 443], nested: [[1], { a: true }] } })).toBe(
      '<upstream><name>payments</name><ports><i>80</i><i>443</i></ports>' +
        '<nested><i><i>1</i></i><i><a>true</a></i></nested></upstream></problem>',
    );
  });

  it('renders null, empty strings, empty arrays and empty objects as empty elements', () => {
    expect(extensions({ a: null, b: '', c: [], d: {}, e: [null] })).toBe(
      '<a/><b/><c/><d/><e><i/></e></problem>',
    );
  });

  it('leaves out undefined, functions and symbols, and writes a BigInt as its decimal text', () => {
    expect(extensions({ u: undefined, f: () => 1, s: Symbol('s'), n: -12345678901234567890n, ok: 1 })).toBe(
      '<n>-12345678901234567890</n><ok>1</ok></problem>',
    );
  });

  it('writes booleans and numbers as JSON does, non-finite numbers as empty', () => {
    expect(extensions({ t: true, f: false, z: -0, e: 1e21, x: 0.5, nan: NaN, inf: -Infinity })).toBe(
      '<t>true</t><f>false</f><z>0</z><e>1e+21</e><x>0.5</x><nan/><inf/></problem>',
    );
  });

  it('uses toJSON like JSON does, so a Date is its ISO text', () => {
    expect(extensions({ at: new Date(Date.UTC(2030, 0, 1)) })).toBe(
      '<at>2030-01-01T00:00:00.000Z</at></problem>',
    );
  });

  it('escapes markup characters and quotes, and keeps CR as a reference', () => {
    expect(extensions({ text: `a&b<c>d"e'f]]>g\r\n` })).toBe(
      '<text>a&amp;b&lt;c&gt;d&quot;e&apos;f]]&gt;g&#13;\n</text></problem>',
    );
  });

  it.each([
    ['NUL', '\u0000'],
    ['ESC', '\u001b'],
    ['a vertical tab', '\u000b'],
    ['a form feed', '\u000c'],
    ['U+FFFE', '\ufffe'],
    ['U+FFFF', '\uffff'],
    ['a lone high surrogate', '\ud800'],
    ['a lone low surrogate', '\udc00'],
  ])('replaces %s, which XML 1.0 cannot carry, with U+FFFD', (_name, char) => {
    expect(extensions({ text: `a${char}b` })).toBe('<text>a\ufffdb</text></problem>');
  });

  it('keeps tabs, line feeds, astral characters and surrogate pairs', () => {
    expect(extensions({ text: 'a\tb\nc 😀 é 日本' })).toBe('<text>a\tb\nc 😀 é 日本</text></problem>');
  });

  it.each([
    'not a name',
    '1st',
    '-a',
    '.a',
    'a:b',
    'a/b',
    '<tag>',
    '',
    'xml',
    'XMLish',
    'xmlns',
    'a&b',
    'a\u0000',
  ])('leaves out a member named %j, which is not an XML name (or is reserved)', (name) => {
    expect(extensions({ [name]: 1, ok: 2 })).toBe('<ok>2</ok></problem>');
  });

  it.each(['_a', 'a-b.c1', 'é', '日本', 'aé\u0301', 'x\u00b7y', 'mlx'])('keeps a member named %j', (name) => {
    expect(extensions({ [name]: 1 })).toBe(`<${name}>1</${name}></problem>`);
  });

  it('checks the names of nested members too', () => {
    expect(extensions({ outer: { 'bad name': 1, good: 2 } })).toBe('<outer><good>2</good></outer></problem>');
  });

  it('renders the debug members like any other, causes as <i> elements', () => {
    const text = renderXml(input(debugProblem(), undefined, DEBUG));
    expect(text).toContain('<message>pool exhausted &lt;after 3 tries&gt;</message>');
    expect(text).toContain(
      '<causes><i><name>Error</name><message>connect ECONNREFUSED 127.0.0.1:5432</message>' +
        '<code>ECONNREFUSED</code><stack>Error: connect ECONNREFUSED 127.0.0.1:5432\n',
    );
    expectWellFormed(text);
  });

  it('survives cycles, throwing getters and toJSON, Proxies and control characters', () => {
    const text = renderXml(input(problem503(hostileMembers())));
    expectWellFormed(text);
    expect(text).toContain('<cycle><name>loop</name></cycle>');
    expect(text).toContain('<list><i>1</i><i/></list>');
    expect(text).toContain('<big>12345678901234567890</big>');
    expect(text).toContain('<getter><ok>1</ok></getter>');
    expect(text).not.toContain('<badJson');
    expect(text).not.toContain('<proxy');
    expect(text).toContain('<nonFinite><i/><i/></nonFinite>');
    expect(text).toContain(
      '<controls>a\ufffdb\ufffd[2Jc\ufffdd\ufffde\ufffdf\ufffdg\u009bh&#13;\n</controls>',
    );
    // A member, not a prototype.
    expect(text).toContain('<__proto__>7</__proto__></problem>');
  });

  it('stops deep values at a depth', () => {
    const text = renderXml(input(problem503({ deep: oversizedMembers().deep })));
    expectWellFormed(text);
    expect(text).toContain('<deep><next><next>');
    expect(text).not.toContain('<leaf>');
  });

  it('stops wide values after a number of values', () => {
    const text = renderXml(input(problem503({ wide: oversizedMembers().wide })));
    expectWellFormed(text);
    expect(text).toContain('<wide><i>0</i><i>1</i>');
    expect(text).not.toContain('<i>99999</i>');
  });

  it('cuts huge text short, marked with an ellipsis', () => {
    const text = renderXml(input(problem503({ huge: oversizedMembers().huge })));
    expect(text.slice(-40)).toMatch(/(&lt;|&amp;)…<\/huge><\/problem>$/);
    expect(text.length).toBeLessThan(5_000_000);
  });

  it('leaves out a member whose getter throws on the problem itself', () => {
    const problem = problem503();
    Object.defineProperty(problem, 'boom', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    expect(renderXml(input(problem))).toContain('<traceId>');
  });

  it('answers a problem that throws on every read with a well-formed empty problem', () => {
    const text = renderXml(input(THROWING_PROBLEM));
    expect(text).toBe(`${DECLARATION}${OPEN}</problem>`);
    expectWellFormed(text);
  });

  it('never throws and always writes well-formed XML, whatever the problem holds', () => {
    fc.assert(
      fc.property(anyProblem, (problem) => {
        expectWellFormed(renderXml(input(problem)));
      }),
      { numRuns: 300 },
    );
    // Hundreds of runs take seconds when the whole suite shares the CPU.
  }, 30_000);
});
