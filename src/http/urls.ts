// URL parsers drop tabs and newlines and read a backslash as "/", so a path
// like "/<TAB>/evil.example" or "/\evil.example" would link to another site;
// controls, spaces, quotes and angle brackets have no place in a link either.
const UNSAFE_IN_URL = /[\x00-\x20\x7f-\x9f<>"\\]/;

/** An absolute http(s) URL, safe to put in an `href` or a problem member. */
export function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string' || UNSAFE_IN_URL.test(value) || !/^https?:\/\//i.test(value)) return false;
  return URL.canParse(value);
}

/**
 * Where a 511 may send the user (RFC 6585 §6): an absolute http(s) URL, or a
 * path on this site (starting with one "/", not "//host"). The one rule the
 * error class, the captive-portal guard and the HTML page all apply.
 */
export function isLoginUrl(value: unknown): value is string {
  return (
    isHttpUrl(value) || (typeof value === 'string' && /^\/(?!\/)/.test(value) && !UNSAFE_IN_URL.test(value))
  );
}

/**
 * The path of a request target, without query or fragment: a query may hold
 * tokens, and the path goes into bodies and logs.
 */
export function pathWithoutQuery(target: string): string {
  const end = target.search(/[?#]/);
  return end === -1 ? target : target.slice(0, end);
}
