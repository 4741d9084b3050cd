import fc from 'fast-check';

import { catalog } from '../../src/catalog/catalog';
import { readProblemXml } from '../../src/client/problem-xml';
import type { Problem } from '../../src/describe/problem';
import { renderXml } from '../../src/render/xml';
import { PLAIN_LIMITS } from '../../src/util/plain-value';

const xml = (problem: Problem) => renderXml({ problem, retryAfter: undefined, debug: undefined });
const OPEN = '<problem xmlns="urn:ietf:rfc:7807">';
const wrap = (body: string) => `${OPEN}${body}</problem>`;

describe('readProblemXml', () => {
  it('reads back every catalog status as the renderer writes it', () => {
    for (const entry of Object.values(catalog)) {
      const problem = { type: 'about:blank', title: entry.title, status: entry.status, instance: '/x' };
      expect(readProblemXml(xml(problem))).toEqual(problem);
    }
  });

  it('reads objects as members, repeated <i> as arrays and text as strings', () => {
    const problem = {
      type: 'about:blank',
      title: 'T',
      status: 505,
      supported: ['1.1', '2.0'],
      one: ['only'],
      links: { help: '/help', nested: { deeper: 'yes', list: [{ a: 'b' }, ['c']] } },
    };
    expect(readProblemXml(xml(problem))).toEqual(problem);
  });

  it('reads numbers and booleans as text, and empty values as empty text: XML has no other types', () => {
    expect(
      readProblemXml(xml({ type: 't', title: 'T', status: 500, n: 42, b: true, z: null, e: '' })),
    ).toEqual({
      type: 't',
      title: 'T',
      status: 500,
      n: '42',
      b: 'true',
      z: '',
      e: '',
    });
  });

  it('gives back any text the renderer escapes', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ unit: 'grapheme' }), (ascii, unicode) => {
        const detail = `${ascii}\r\n${unicode}&<>"'\r`;
        expect(readProblemXml(xml({ type: 'about:blank', title: 'T', status: 500, detail }))?.detail).toBe(
          detail,
        );
      }),
    );
  });

  it('reads an element named __proto__ as a member, not as a prototype', () => {
    const read = readProblemXml(wrap('<__proto__><polluted>yes</polluted></__proto__>'));
    expect(Object.keys(read ?? {})).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    [
      'a comment, a processing instruction and white space around the root',
      `<!-- x -->\n${wrap('<title>T</title>')}\n<?pi x?>\n`,
    ],
    ['a byte order mark', `\ufeff${wrap('<title>T</title>')}`],
    ['CDATA', wrap('<title><![CDATA[T]]></title>')],
    ['character references', wrap('<title>&#84;</title>')],
    ['hexadecimal references', wrap('<title>&#x54;</title>')],
    ['a declared prefix', '<p:problem xmlns:p="urn:ietf:rfc:7807"><p:title>T</p:title></p:problem>'],
    ['single quotes', "<problem xmlns='urn:ietf:rfc:7807'><title>T</title></problem>"],
    ['attributes on members', wrap('<title lang="en">T</title>')],
    ['pretty-printed members', wrap('\n  <title>T</title>\n')],
  ])('reads %s', (_what, text) => {
    expect(readProblemXml(text)).toEqual({ title: 'T' });
  });

  it('reads a problem as deep and as large as the renderer writes', () => {
    let deep: Record<string, unknown> = { leaf: 'x' };
    for (let i = 0; i < PLAIN_LIMITS.depth + 4; i++) deep = { d: deep, list: [[i]] };
    const wide = Array.from({ length: PLAIN_LIMITS.values + 10 }, () => 'v');
    for (const extension of [{ deep }, { wide }]) {
      const text = xml({ type: 'about:blank', title: 'T', status: 500, ...extension });
      expect(readProblemXml(text)).toEqual(expect.objectContaining({ title: 'T' }));
    }
  });

  it.each([
    ['an empty text', ''],
    ['another root', '<error><title>T</title></error>'],
    ['no namespace', '<problem><title>T</title></problem>'],
    ['another namespace', '<problem xmlns="urn:example"><title>T</title></problem>'],
    ['an undeclared prefix', '<p:problem xmlns="urn:ietf:rfc:7807"/>'],
    ['a DOCTYPE', `<!DOCTYPE problem [<!ENTITY a "aaaa">]>${wrap('<title>&a;</title>')}`],
    ['an unknown entity', wrap('<title>&nbsp;</title>')],
    ['a bare ampersand', wrap('<title>a & b</title>')],
    ['a reference to NUL', wrap('<title>&#0;</title>')],
    ['a reference to a surrogate', wrap('<title>&#xD800;</title>')],
    ['a reference past Unicode', wrap('<title>&#x110000;</title>')],
    ['an unclosed element', wrap('<title>T')],
    ['a mismatched end tag', wrap('<title>T</detail>')],
    ['an unclosed comment', wrap('<!-- ')],
    ['two roots', `${wrap('')}${wrap('')}`],
    ['text after the root', `${wrap('')}x`],
    ['a truncated document', wrap('<title>T</title>').slice(0, -3)],
    ['JSON', '{"title":"T"}'],
  ])('gives up on %s', (_what, text) => {
    expect(readProblemXml(text)).toBeUndefined();
  });

  it('gives up beyond the depth and the number of elements the renderer writes', () => {
    const deep = (levels: number) => wrap(`${'<d>'.repeat(levels)}x${'</d>'.repeat(levels)}`);
    expect(readProblemXml(deep(PLAIN_LIMITS.depth))).toBeDefined();
    expect(readProblemXml(deep(PLAIN_LIMITS.depth + 1))).toBeUndefined();
    // The problem is one of the elements.
    const wide = (count: number) => wrap('<i/>'.repeat(count - 1));
    expect(readProblemXml(wide(PLAIN_LIMITS.values))).toBeDefined();
    expect(readProblemXml(wide(PLAIN_LIMITS.values + 1))).toBeUndefined();
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const read = readProblemXml(`${OPEN}${text}`);
        expect(read === undefined || typeof read === 'object').toBe(true);
      }),
    );
  });
});
