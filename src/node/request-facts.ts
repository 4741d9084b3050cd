import type { IncomingMessage, ServerResponse } from 'node:http';

import { pathWithoutQuery } from '../http/urls';
import type { RequestFacts } from '../pipeline';
import { isResponseGone } from '../util/response-gone';

/**
 * The path the client asked for, without query or fragment (a query may hold
 * tokens, and the path goes into bodies and logs). Express's `originalUrl` keeps
 * the mount path a sub-app strips from `url`, so every mount point sees the
 * same path; `'url'` asks for the path inside the mount point instead.
 */
export function requestPath(req: IncomingMessage, which: 'original' | 'url' = 'original'): string {
  const url = (which === 'original' ? (req as { originalUrl?: unknown }).originalUrl : undefined) ?? req.url;
  return typeof url === 'string' ? pathWithoutQuery(url) : '/';
}

/** What the pipeline needs to know of a `node:http` request. */
export function nodeFacts(req: IncomingMessage, res: ServerResponse): RequestFacts {
  return {
    method: req.method ?? 'GET',
    path: requestPath(req),
    headers: req.headers,
    http2: req.httpVersionMajor >= 2,
    clientGone: isResponseGone(res),
    // A request-id middleware (express-request-id and the like) puts its id on the response.
    appRequestId: typeof res.getHeader === 'function' ? textOf(res.getHeader('x-request-id')) : undefined,
  };
}

function textOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
