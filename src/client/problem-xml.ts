import { PROBLEM_XML } from '../http/media-types';
import { PLAIN_LIMITS } from '../util/plain-value';

// RFC 9457 Appendix B, as the server's XML renderer writes it: one root element
// in the problem namespace; objects as child elements, arrays as repeated items.
const { namespace: NAMESPACE, root: ROOT, item: ITEM } = PROBLEM_XML;

/** What an XML problem reads as: text, or members and items of the same. */
export type XmlValue = string | number | XmlValue[] | { [member: string]: XmlValue };

interface Element {
  readonly name: string;
  readonly children: Element[];
  text: string;
}

/** Thrown inside the reader only, to give up on a document that is not one it reads. */
class NotAProblem extends Error {}

// Lenient names: the reader needs to find where a name ends, not to police it.
const NAME = String.raw`[^\s<>/=!?"'&]+`;
const START_TAG = new RegExp(
  String.raw`<(${NAME})((?:\s+${NAME}\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(/?)>`,
  'y',
);
const END_TAG = new RegExp(String.raw`</(${NAME})\s*>`, 'y');
const ATTRIBUTE = new RegExp(String.raw`(${NAME})\s*=\s*(?:"([^"<]*)"|'([^'<]*)')`, 'g');
const TEXT = /[^<]+/y;
const SPACE = /^[ \t\r\n]*$/;

// What the renderer writes at most: one element per value, the problem's own
// included, and a leaf one level below the deepest object or array.
const MAX_DEPTH = PLAIN_LIMITS.depth + 1;
const MAX_ELEMENTS = PLAIN_LIMITS.values;

/**
 * Reads an `application/problem+xml` body (RFC 9457 Appendix B) into the
 * members it holds, as the server's renderer writes them: an element of text
 * is a string, one whose children are all `<i>` an array, any other an object;
 * `status` is a number (the appendix's `xsd:positiveInteger`). XML has no other
 * types, so a number or boolean extension reads as text, and an empty element
 * as `""`. Works without DOMParser (Node has none). `undefined` for anything
 * else: not well-formed, another root or namespace, a DOCTYPE (whose entities
 * could expand without bound), more than 16 levels deep or 10 000 elements.
 * Never throws.
 */
export function readProblemXml(text: string): Record<string, XmlValue> | undefined {
  try {
    const root = parse(text);
    if (root === undefined) return undefined;
    const problem = members(root);
    const { status } = problem;
    if (typeof status === 'string' && /^\s*[0-9]{1,3}\s*$/.test(status)) problem.status = Number(status);
    return problem;
  } catch {
    return undefined;
  }
}

function parse(text: string): Element | undefined {
  // XML 1.0 §2.11: every line break reads as one LF.
  const source = text.replace(/\r\n?/g, '\n');
  const open: Element[] = [];
  let root: Element | undefined;
  let count = 0;
  let at = source.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (at < source.length) {
    const current = open[open.length - 1];
    if (source.startsWith('<!--', at)) at = after(source, '-->', at);
    else if (source.startsWith('<?', at)) at = after(source, '?>', at);
    else if (source.startsWith('<![CDATA[', at)) {
      const end = after(source, ']]>', at);
      if (current === undefined) return undefined;
      current.text += source.slice(at + 9, end - 3);
      at = end;
    } else if (source.startsWith('<!', at)) return undefined;
    else if (source.startsWith('</', at)) {
      END_TAG.lastIndex = at;
      const end = END_TAG.exec(source);
      if (end === null || current === undefined || end[1] !== current.name) return undefined;
      open.pop();
      at = END_TAG.lastIndex;
    } else if (source[at] === '<') {
      START_TAG.lastIndex = at;
      const start = START_TAG.exec(source);
      if (start === null) return undefined;
      const [, name = '', attributes = '', empty] = start;
      const element: Element = { name, children: [], text: '' };
      if (++count > MAX_ELEMENTS || open.length >= MAX_DEPTH) return undefined;
      if (current === undefined) {
        if (root !== undefined || !isProblemRoot(name, attributes)) return undefined;
        root = element;
      } else current.children.push(element);
      if (empty === '') open.push(element);
      at = START_TAG.lastIndex;
    } else {
      TEXT.lastIndex = at;
      const chunk = TEXT.exec(source)?.[0] ?? '';
      if (current === undefined) {
        if (!SPACE.test(chunk)) return undefined;
      } else current.text += decode(chunk);
      at += chunk.length;
    }
  }
  return open.length === 0 ? root : undefined;
}

function after(source: string, close: string, at: number): number {
  const end = source.indexOf(close, at + 2);
  if (end === -1) throw new NotAProblem();
  return end + close.length;
}

/** The root is a <problem> in RFC 9457's namespace, unprefixed or under a prefix it declares. */
function isProblemRoot(name: string, attributes: string): boolean {
  const colon = name.indexOf(':');
  const prefix = colon === -1 ? '' : name.slice(0, colon);
  if (name.slice(colon + 1) !== ROOT) return false;
  const wanted = prefix === '' ? 'xmlns' : `xmlns:${prefix}`;
  for (const [, attribute, double, single] of attributes.matchAll(ATTRIBUTE)) {
    if (attribute === wanted) return decode(double ?? single ?? '') === NAMESPACE;
  }
  return false;
}

function localName(name: string): string {
  return name.slice(name.indexOf(':') + 1);
}

// The recursion is as deep as the document, which parse() bounds.
function value(element: Element): XmlValue {
  const { children } = element;
  if (children.length === 0) return element.text;
  if (children.every((child) => localName(child.name) === ITEM)) return children.map(value);
  return members(element);
}

function members(element: Element): Record<string, XmlValue> {
  // No prototype: an element named __proto__ is a member like any other.
  const result = Object.create(null) as Record<string, XmlValue>;
  for (const child of element.children) result[localName(child.name)] = value(child);
  return result;
}

const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Text with its references resolved; a reference XML 1.0 §4.1 does not define ends the read. */
function decode(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&([^&;]*);|&/g, (_match, ref: string | undefined) => {
    if (ref === undefined) throw new NotAProblem();
    if (Object.hasOwn(PREDEFINED, ref)) return PREDEFINED[ref] as string;
    const code = /^#x[0-9a-fA-F]{1,6}$/.test(ref)
      ? parseInt(ref.slice(2), 16)
      : /^#[0-9]{1,7}$/.test(ref)
        ? Number(ref.slice(1))
        : NaN;
    // XML 1.0 §2.2 Char: no NUL, no surrogate, nothing past U+10FFFF.
    if (!(code > 0 && code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) throw new NotAProblem();
    return String.fromCodePoint(code);
  });
}
