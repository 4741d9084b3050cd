import { type PlainObject, type PlainValue, toPlainObject } from '../util/plain-value';
import { PROBLEM_XML } from '../http/media-types';
import { PROBLEM_MEMBERS } from '../http/problem-members';
import { neverThrows, type Renderer } from './renderer';

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/**
 * Renders a problem as `application/problem+xml` (RFC 9457 Appendix B): a
 * `<problem>` in the `urn:ietf:rfc:7807` namespace, the standard members first,
 * then the extensions; objects as child elements, arrays as repeated `<i>`.
 * Members whose name is not an XML name are left out.
 */
export const renderXml: Renderer = neverThrows(
  (input) => document(toPlainObject(input.problem)),
  // An empty problem is still well-formed.
  `${DECLARATION}<${PROBLEM_XML.root} xmlns="${PROBLEM_XML.namespace}"/>`,
);

function document(problem: PlainObject): string {
  let body = '';
  for (const name of PROBLEM_MEMBERS) {
    const value = problem[name];
    if (value !== undefined) body += element(name, value);
  }
  for (const name of Object.keys(problem)) {
    if (!PROBLEM_MEMBERS.includes(name)) body += element(name, problem[name] ?? null);
  }
  return `${DECLARATION}<${PROBLEM_XML.root} xmlns="${PROBLEM_XML.namespace}">${body}</${PROBLEM_XML.root}>`;
}

function element(name: string, value: PlainValue): string {
  if (!isElementName(name)) return '';
  let content: string;
  if (value === null) content = '';
  else if (Array.isArray(value)) content = value.map((item) => element(PROBLEM_XML.item, item)).join('');
  else if (typeof value === 'object') {
    content = Object.keys(value)
      .map((key) => element(key, value[key] ?? null))
      .join('');
  } else content = escapeXml(String(value));
  return content === '' ? `<${name}/>` : `<${name}>${content}</${name}>`;
}

// XML 1.0 §2.3 Name, without ":" (Namespaces in XML §3 NCName: a colon would
// need a declared prefix). Names starting with "xml" are reserved (§2.3).
const NAME_START =
  'A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D' +
  '\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
// Combining marks are meant to be in the class: they are NameChars of their own.
// eslint-disable-next-line no-misleading-character-class
const NAME = new RegExp(`^[${NAME_START}][${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040]*$`, 'u');

function isElementName(name: string): boolean {
  return NAME.test(name) && !/^xml/i.test(name);
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // A raw CR would reach the reader as LF (XML 1.0 §2.11); the reference keeps it.
  '\r': '&#13;',
};

// XML 1.0 §2.2 Char excludes most C0 controls, U+FFFE, U+FFFF and unpaired
// surrogates (with the "u" flag, a surrogate range matches only unpaired ones):
// not even a character reference may carry them, so they become U+FFFD.
const SPECIAL = /[&<>"'\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]/gu;

function escapeXml(text: string): string {
  return text.replace(SPECIAL, (char) => ESCAPES[char] ?? '\ufffd');
}
