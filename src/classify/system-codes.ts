import { type Classified, classified } from './classified';

const INSUFFICIENT_STORAGE = classified(507);
const BAD_GATEWAY = classified(502);
const GATEWAY_TIMEOUT = classified(504);
const SERVICE_UNAVAILABLE = classified(503);
const NETWORK_READ_TIMEOUT = classified(598);
const NETWORK_CONNECT_TIMEOUT = classified(599);

/**
 * The error codes with a clear server-error meaning: Node system errors and
 * the errors of Node's `fetch` (undici). A Map, not an object literal: `code` is
 * data from anywhere, and "constructor" must not hit Object.prototype.
 *
 * With `nonStandard`, upstream read and connect timeouts become 598 and 599,
 * as some proxies answer; otherwise they are the standard 504.
 */
export function errorCodes(nonStandard: boolean): ReadonlyMap<string, Classified> {
  const readTimeout = nonStandard ? NETWORK_READ_TIMEOUT : GATEWAY_TIMEOUT;
  const connectTimeout = nonStandard ? NETWORK_CONNECT_TIMEOUT : GATEWAY_TIMEOUT;
  return new Map([
    ['ENOSPC', INSUFFICIENT_STORAGE],
    ['EDQUOT', INSUFFICIENT_STORAGE],
    ['ECONNREFUSED', BAD_GATEWAY],
    ['ECONNRESET', BAD_GATEWAY],
    ['EPIPE', BAD_GATEWAY],
    ['ENOTFOUND', BAD_GATEWAY],
    ['EAI_AGAIN', BAD_GATEWAY],
    // Which phase timed out is unknown, so it stays the standard gateway timeout.
    ['ETIMEDOUT', GATEWAY_TIMEOUT],
    ['UND_ERR_SOCKET', BAD_GATEWAY],
    // An upstream that answers with more header bytes than undici accepts.
    ['UND_ERR_HEADERS_OVERFLOW', BAD_GATEWAY],
    ['EHOSTUNREACH', BAD_GATEWAY],
    ['ENETUNREACH', BAD_GATEWAY],
    ['UND_ERR_CONNECT_TIMEOUT', connectTimeout],
    ['UND_ERR_HEADERS_TIMEOUT', readTimeout],
    ['UND_ERR_BODY_TIMEOUT', readTimeout],
    // opossum: an open breaker, its semaphore full, or shut down: a dependency
    // known to be unavailable, so this service is, for now.
    ['EOPENBREAKER', SERVICE_UNAVAILABLE],
    ['ESEMLOCKED', SERVICE_UNAVAILABLE],
    ['ESHUTDOWN', SERVICE_UNAVAILABLE],
  ]);
}

export const STANDARD_CODES = errorCodes(false);
export const TIMEOUT = GATEWAY_TIMEOUT;

/**
 * Whether an error is an upstream's invalid HTTP response: Node's parser
 * (http.request, http-proxy) reports it with an `HPE_` code, undici's fetch
 * with an HTTPParserError. From a gateway that is a 502 (RFC 9110 §15.6.3).
 */
export function isInvalidResponse(code: unknown, name: unknown): boolean {
  return (typeof code === 'string' && code.startsWith('HPE_')) || name === 'HTTPParserError';
}

export const INVALID_RESPONSE = BAD_GATEWAY;

// What a request cut short by its client fails with: an AbortSignal that fired
// (AbortError, Node's ABORT_ERR), a socket reset or aborted mid-body (raw-body
// says ECONNABORTED), a stream closed early, an undici request aborted.
const ABORT_CODES: ReadonlySet<string> = new Set([
  'ABORT_ERR',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_ABORTED',
]);

/** Whether an error is an abort or a connection cut short, by its `code` or `name`. */
export function isAbort(code: unknown, name: unknown): boolean {
  return (typeof code === 'string' && ABORT_CODES.has(code)) || name === 'AbortError';
}
