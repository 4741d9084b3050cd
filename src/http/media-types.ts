/** The media type of a problem in JSON (RFC 9457 §6.1). */
export const PROBLEM_JSON_TYPE = 'application/problem+json';
/** The media type of a problem in XML (RFC 9457 Appendix B). */
export const PROBLEM_XML_TYPE = 'application/problem+xml';

/** What an XML problem is written as (RFC 9457 Appendix B): its root, its namespace, an array's items. */
export const PROBLEM_XML = Object.freeze({
  root: 'problem',
  namespace: 'urn:ietf:rfc:7807',
  /** The element of each item of an array member. */
  item: 'i',
});
