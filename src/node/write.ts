import type { IncomingMessage, ServerResponse } from 'node:http';

import vary from 'vary';

import { STALE_HEADERS } from '../http/headers';
import type { ResponsePlan } from '../render/response';

/**
 * Applies a response plan to a `node:http` response, through its own members
 * only, so it serves Express 4 and 5, Connect, a bare `http.createServer` and
 * the HTTP/2 compatibility API alike. Headers the route set for the answer it
 * meant to send are removed first; the rest of what it set (CORS, cookies)
 * stays. The head is written before the body, so a header Node accepts in
 * `setHeader` but refuses in the head (a `Trailer` with a Content-Length) is
 * known before anything is sent: the answer then goes out without the error's
 * own headers, and a response that cannot be written at all is closed, never
 * left hanging.
 */
export function writeResponse(req: IncomingMessage, res: ServerResponse, plan: ResponsePlan): void {
  // Usually one or two headers are set (X-Powered-By): cheaper to walk than the stale list.
  for (const name of res.getHeaderNames()) if (STALE_HEADERS.has(name)) res.removeHeader(name);
  for (const [name, value] of plan.headers) {
    try {
      // Vary lists what the route's answer varied on too (CORS's Origin, say).
      if (name === 'Vary') vary(res, value as string);
      else res.setHeader(name, value);
    } catch {
      // Node has the last word on what it takes; a header it refuses is left out.
    }
  }
  res.statusCode = plan.status;
  // Node knows no reason phrase for 598 and 599; the catalog does. HTTP/2 has
  // none, and Node warns when one is set on its responses.
  if (plan.statusText !== undefined && req.httpVersionMajor < 2) res.statusMessage = plan.statusText;
  drainRequest(req);
  if (!writeHead(res, plan)) return;
  res.end(plan.omitBody ? undefined : plan.body);
}

function writeHead(res: ServerResponse, plan: ResponsePlan): boolean {
  try {
    res.writeHead(plan.status);
    return true;
  } catch {
    for (const [name] of plan.headers.slice(0, plan.errorHeaders)) res.removeHeader(name);
  }
  try {
    res.writeHead(plan.status);
    return true;
  } catch {
    res.destroy();
    return false;
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
