import type { Context } from 'koa';

import { pathWithoutQuery } from '../http/urls';
import type { RequestFacts } from '../pipeline';
import { isResponseGone } from '../util/response-gone';

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
  return {
    method: ctx.method,
    path: pathWithoutQuery(ctx.originalUrl),
    headers: req.headers,
    http2: req.httpVersionMajor >= 2,
    clientGone: isResponseGone(res),
    appRequestId: ctx.response.get('x-request-id') || undefined,
  };
}
