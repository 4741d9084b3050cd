import { lookupStatus } from '../catalog/catalog';
import { isRetryAfterValue } from './retry-after';

/** A header value as `node:http`'s `setHeader` takes it. */
export type HeaderValue = string | readonly string[];

// RFC 9110 §5.1: field-name = token.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// RFC 9110 §5.5: field values hold visible characters, spaces and tabs; CR, LF
// and NUL would split the response (header injection), so they never pass.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
// RFC 9110 §12.5.5: Vary = #( "*" / field-name ).
const VARY =
  /^[ \t]*(?:\*|[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?:[ \t]*,[ \t]*[!#$%&'*+\-.^_`|~0-9A-Za-z]+)*)[ \t]*$/;

/**
 * The bounds of the headers an error asks for. Node and undici refuse a
 * response whose header section passes 16 KiB, so an error's headers keep well
 * under it, beside the problem's own headers and those the app set. Values
 * hold Latin-1 only, so characters are bytes.
 */
export const HEADER_LIMITS = Object.freeze({
  /** Characters of one value (an array's values together). */
  value: 4096,
  /** Characters of all the names and values of one error's headers together. */
  total: 8192,
  /** How many headers one error may set. */
  count: 32,
});

/**
 * Headers only the error handler writes: they describe the problem body it
 * sends, so neither an error's `headers` nor anything else may set them.
 */
export const OWN_HEADERS: ReadonlySet<string> = new Set([
  'content-type',
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'x-content-type-options',
]);

/**
 * Connection-specific fields (RFC 9110 §7.6.1): they describe the connection,
 * not the error, and Node refuses some only when it writes the head (a
 * `Trailer` on a response with a Content-Length), which would leave the client
 * without an answer.
 */
const CONNECTION_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
]);

/**
 * Headers a route may have set before it threw, for the representation it meant
 * to send. On an error body they are wrong: a stale `ETag` or `Last-Modified`
 * would let a cache revalidate the error as the resource, a `Cache-Control` or
 * `Expires` would let it store the error, a `Retry-After` or `Trailer` was meant
 * for that other answer, and the `Content-*` fields would mislabel the body.
 */
export const STALE_HEADERS: ReadonlySet<string> = new Set([
  'cache-control',
  'expires',
  'etag',
  'last-modified',
  'retry-after',
  'trailer',
  'content-encoding',
  'content-language',
  'content-range',
  'content-location',
  'content-disposition',
  'content-length',
  'transfer-encoding',
]);

/**
 * The headers a client error's status calls for, by the section that asks for
 * them. An error that is not one of ours (http-errors, Boom, a library's own)
 * may pass on these and nothing else: it may carry the raw headers of an
 * upstream response, with its cookies, redirects and internal host names. For
 * the 5xx statuses, the catalog says which take a Retry-After.
 */
const NEEDED_BY_CLIENT_ERRORS: Readonly<Record<number, readonly string[]>> = {
  401: ['www-authenticate'], // RFC 9110 §15.5.2: MUST
  405: ['allow'], // RFC 9110 §15.5.6: MUST
  407: ['proxy-authenticate'], // RFC 9110 §15.5.8: MUST
  413: ['retry-after'], // RFC 9110 §15.5.14
  // RFC 9110 §15.5.16 (Accept, Accept-Encoding), RFC 5789 §2.2, W3C LDP §4.2.3.
  415: ['accept', 'accept-encoding', 'accept-patch', 'accept-post'],
  416: ['content-range'], // RFC 9110 §15.5.17
  429: ['retry-after'], // RFC 6585 §4
};

const RETRY_AFTER_ONLY: readonly string[] = ['retry-after'];
const NONE: readonly string[] = [];

/** The headers (lower case) that an error which is not ours may pass on with `status`. */
export function neededHeaders(status: number): readonly string[] {
  if (status >= 500) return lookupStatus(status)?.retryAfter === true ? RETRY_AFTER_ONLY : NONE;
  return Object.hasOwn(NEEDED_BY_CLIENT_ERRORS, status) ? (NEEDED_BY_CLIENT_ERRORS[status] ?? NONE) : NONE;
}

export function isHeaderName(name: string): boolean {
  return TOKEN.test(name);
}

/**
 * The value as `setHeader` should receive it, or `undefined` when it cannot be
 * sent safely: `undefined`/`null`, objects, or text holding CR, LF or NUL.
 */
export function toHeaderValue(value: unknown): HeaderValue | undefined {
  if (typeof value === 'string') return FIELD_VALUE.test(value) ? value : undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (Array.isArray(value)) {
    const values: string[] = [];
    for (const item of value as unknown[]) {
      const text = toHeaderValue(item);
      if (typeof text !== 'string') return undefined;
      values.push(text);
    }
    return Object.freeze(values);
  }
  return undefined;
}

/** Why a header cannot go out with an error. */
export type HeaderProblem = 'name' | 'own' | 'connection' | 'value' | 'retry-after' | 'length';

/** What {@link checkHeader} makes of one header: the value to send, or why it cannot be sent. */
export type HeaderCheck = { readonly value: HeaderValue } | { readonly problem: HeaderProblem };

function lengthOf(value: HeaderValue): number {
  if (typeof value === 'string') return value.length;
  let length = 0;
  for (const item of value) length += item.length;
  return length;
}

/**
 * The rule every header an error asks for must pass, at construction (where a
 * failure throws) and when the response is built (where it is dropped): a valid
 * name, not one of the body's or the connection's, a value without CR, LF or
 * NUL within {@link HEADER_LIMITS}, and a Retry-After in RFC 9110's grammar.
 */
export function checkHeader(name: string, value: unknown): HeaderCheck {
  if (!isHeaderName(name)) return { problem: 'name' };
  const lower = name.toLowerCase();
  if (OWN_HEADERS.has(lower)) return { problem: 'own' };
  if (CONNECTION_HEADERS.has(lower)) return { problem: 'connection' };
  let text: HeaderValue | undefined;
  try {
    text = toHeaderValue(value);
  } catch {
    text = undefined;
  }
  if (text === undefined) return { problem: 'value' };
  if (lower === 'retry-after' && (typeof text !== 'string' || !isRetryAfterValue(text))) {
    return { problem: 'retry-after' };
  }
  // RFC 9110 §12.5.5: "*" or a list of field names; anything else would make
  // the Vary the answer sends (Accept merged in) unreadable.
  if (lower === 'vary' && (typeof text !== 'string' || !VARY.test(text))) return { problem: 'value' };
  if (lengthOf(text) > HEADER_LIMITS.value) return { problem: 'length' };
  return { value: text };
}

/** An error's headers, checked: a frozen record without prototype, in the order given. */
export type ErrorHeaders = Readonly<Record<string, HeaderValue>>;

export const NO_HEADERS: ErrorHeaders = Object.freeze(Object.create(null) as Record<string, HeaderValue>);

/** The headers records {@link checkedHeaders} made: frozen, every header checked, within the bounds. */
const checked = new WeakSet<object>();

/** Marks a frozen record of headers that passed {@link checkHeader} and the bounds, so it is not checked again. */
export function checkedHeaders(headers: ErrorHeaders): ErrorHeaders {
  if (Object.isFrozen(headers)) checked.add(headers);
  return headers;
}

/**
 * Reads the `headers` of a thrown value once and keeps those that pass
 * {@link checkHeader} and, when given, `allowed` (lower-case names), within the
 * bounds of {@link HEADER_LIMITS}; the first of two names that differ in case
 * wins. `undefined` when the error has no headers object. Never throws.
 */
export function collectHeaders(raw: unknown, allowed?: readonly string[]): ErrorHeaders | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  // Our errors' own headers, checked when the error was built: nothing to read again.
  if (allowed === undefined && checked.has(raw)) return raw as ErrorHeaders;
  if (allowed?.length === 0) return NO_HEADERS;
  let names: string[];
  try {
    names = Object.keys(raw);
  } catch {
    return NO_HEADERS;
  }
  const result: Record<string, HeaderValue> = Object.create(null);
  const seen = new Set<string>();
  let total = 0;
  for (const name of names) {
    if (seen.size >= HEADER_LIMITS.count) break;
    const lower = name.toLowerCase();
    if (seen.has(lower) || (allowed !== undefined && !allowed.includes(lower))) continue;
    let value: unknown;
    try {
      value = (raw as Record<string, unknown>)[name];
    } catch {
      continue;
    }
    const checked = checkHeader(name, value);
    if (!('value' in checked)) continue;
    const size = name.length + lengthOf(checked.value);
    if (total + size > HEADER_LIMITS.total) continue;
    total += size;
    seen.add(lower);
    result[name] = checked.value;
  }
  return seen.size === 0 ? NO_HEADERS : checkedHeaders(Object.freeze(result));
}

/** The headers of an answer that says when to come back, in delay-seconds (RFC 9110 §10.2.3). */
export function checkedRetryAfter(seconds: number): ErrorHeaders {
  return checkedHeaders(Object.freeze({ 'Retry-After': String(seconds) }));
}

/** The characters of all the names and values of some headers, as {@link HEADER_LIMITS} counts them. */
export function headersSize(headers: ErrorHeaders): number {
  let total = 0;
  for (const name of Object.keys(headers)) total += name.length + lengthOf(headers[name] as HeaderValue);
  return total;
}
