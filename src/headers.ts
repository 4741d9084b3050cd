/** A header value as `node:http`'s `setHeader` takes it. */
export type HeaderValue = string | readonly string[];

// RFC 9110 §5.1: field-name = token.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// RFC 9110 §5.5: field values hold visible characters, spaces and tabs; CR, LF
// and NUL would split the response (header injection), so they never pass.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

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
 * Headers a route may have set before it threw, for the representation it meant
 * to send. On an error body they are wrong: a stale `ETag` or `Last-Modified`
 * would let a cache revalidate the error as the resource, a `Cache-Control` or
 * `Expires` would let it store the error, and the `Content-*` fields would
 * mislabel the body.
 */
export const STALE_HEADERS: ReadonlySet<string> = new Set([
  'cache-control',
  'expires',
  'etag',
  'last-modified',
  'content-encoding',
  'content-language',
  'content-range',
  'content-location',
  'content-disposition',
  'content-length',
  'transfer-encoding',
]);

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
    return values;
  }
  return undefined;
}
