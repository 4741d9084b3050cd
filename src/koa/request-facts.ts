import type { Context } from 'koa';

import type { RequestFacts } from '../pipeline';

/**
 * What the pipeline needs to know of a Koa request. The path is the one the
 * client asked for (`originalUrl`, which koa-mount leaves alone), without
 * query or fragment: a query may hold tokens, and the path goes into bodies
 * and logs.
 *
 * @example
 * const { path, clientGone } = koaFacts(ctx);
 */
export function koaFacts(ctx: Context): RequestFacts {
  const { req, res } = ctx;
  const url = ctx.originalUrl;
  const end = url.search(/[?#]/);
  return {
    method: ctx.method,
    path: end === -1 ? url : url.slice(0, end),
    headers: req.headers,
    http2: req.httpVersionMajor >= 2,
    // Not `req.destroyed`: Node destroys a request as soon as its body has been
    // read. The HTTP/2 compatibility response has no `destroyed` of its own: its
    // stream does.
    clientGone:
      res.destroyed === true || (res as { stream?: { destroyed?: unknown } }).stream?.destroyed === true,
  };
}
