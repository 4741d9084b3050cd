import type { Classified } from './classify';

const classified = (status: number): Classified => Object.freeze({ status });
const INSUFFICIENT_STORAGE = classified(507);
const BAD_GATEWAY = classified(502);
const GATEWAY_TIMEOUT = classified(504);
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
    ['UND_ERR_CONNECT_TIMEOUT', connectTimeout],
    ['UND_ERR_HEADERS_TIMEOUT', readTimeout],
    ['UND_ERR_BODY_TIMEOUT', readTimeout],
  ]);
}

export const STANDARD_CODES = errorCodes(false);
export const TIMEOUT = GATEWAY_TIMEOUT;
