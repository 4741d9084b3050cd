import type { IncomingMessage, ServerResponse } from 'node:http';

import vary from 'vary';

import type { Format } from './formats';
import { isHeaderName, OWN_HEADERS, STALE_HEADERS, toHeaderValue } from './headers';
import type { Problem } from './problem';
import type { DebugInfo } from './render';
import { isRetryAfterValue } from './retry-after';
import type { StatusPlan } from './status-plan';

/**
 * Writes the problem response in the negotiated format. The only step that
 * touches `res`, and only through `node:http` members, so it serves Express 4
 * and 5, Connect and a bare `http.createServer` alike.
 */
export function write(
  req: IncomingMessage,
  res: ServerResponse,
  plan: StatusPlan,
  errorHeaders: unknown,
  format: Format,
  problem: Problem,
  debug: DebugInfo | undefined,
): void {
  // Usually one or two headers are set (X-Powered-By): cheaper to walk than the stale list.
  for (const name of res.getHeaderNames()) if (STALE_HEADERS.has(name)) res.removeHeader(name);
  res.statusCode = plan.status;
  // Node knows no reason phrase for 598 and 599; the catalog does. HTTP/2 has
  // no reason phrase at all, and Node warns when one is set on its responses.
  if (req.httpVersionMajor < 2) res.statusMessage = plan.title;
  setErrorHeaders(res, errorHeaders);
  const retryAfter = res.getHeader('retry-after');
  // RFC 6585 §6: a 511 MUST NOT be stored. A 503, or any answer that says when
  // to come back, must not be served from a cache after that moment passes.
  if (plan.noStore || retryAfter !== undefined) res.setHeader('Cache-Control', 'no-store');
  // The body depends on Accept, so caches must key on it (RFC 9110 §12.5.5).
  vary(res, 'Accept');
  res.setHeader('Content-Type', format.contentType);
  for (const [name, value] of format.headers) res.setHeader(name, value);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  const body = format.render({
    problem,
    retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
    debug,
  });
  res.setHeader('Content-Length', Buffer.byteLength(body));
  drainRequest(req);
  // RFC 9110 §9.3.2: HEAD gets the same headers and no content.
  if (req.method === 'HEAD') res.end();
  else res.end(body);
}

/**
 * Sets the headers an error asks for, one by one: a header that is not a valid
 * name, is owned by the problem body, holds CR/LF or is not a well-formed
 * Retry-After is dropped, never sent and never a crash.
 */
function setErrorHeaders(res: ServerResponse, headers: unknown): void {
  if (typeof headers !== 'object' || headers === null) return;
  let names: string[];
  try {
    names = Object.keys(headers);
  } catch {
    return;
  }
  for (const name of names) {
    if (!isHeaderName(name)) continue;
    const lower = name.toLowerCase();
    if (OWN_HEADERS.has(lower)) continue;
    let value;
    try {
      value = toHeaderValue((headers as Record<string, unknown>)[name]);
    } catch {
      continue;
    }
    if (value === undefined) continue;
    if (lower === 'retry-after' && (typeof value !== 'string' || !isRetryAfterValue(value))) continue;
    try {
      res.setHeader(name, value);
    } catch {
      // setHeader has the last word on what Node accepts.
    }
  }
}

/**
 * A body the route never read (or a parser abandoned, as on a 413) would stall
 * a keep-alive connection: unhook whatever was reading it and let it flow away.
 */
function drainRequest(req: IncomingMessage): void {
  // A route that throws synchronously runs before Node marks even a bodiless
  // request complete; only a request that announced a body has one to drain.
  if (req.complete) return;
  const { headers } = req;
  if (headers['content-length'] === undefined && headers['transfer-encoding'] === undefined) return;
  req.unpipe();
  req.resume();
}
