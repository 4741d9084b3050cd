import type { IncomingMessage, ServerResponse } from 'node:http';

import type { RequestFacts } from '../pipeline';

/**
 * The path the client asked for, without query or fragment (a query may hold
 * tokens, and the path goes into bodies and logs). Express's `originalUrl` keeps
 * the mount path a sub-app strips from `url`, so every mount point sees the
 * same path; `'url'` asks for the path inside the mount point instead.
 */
export function requestPath(req: IncomingMessage, which: 'original' | 'url' = 'original'): string {
  const url = (which === 'original' ? (req as { originalUrl?: unknown }).originalUrl : undefined) ?? req.url;
  if (typeof url !== 'string') return '/';
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

/** What the pipeline needs to know of a `node:http` request. */
export function nodeFacts(req: IncomingMessage, res: ServerResponse): RequestFacts {
  return {
    method: req.method ?? 'GET',
    path: requestPath(req),
    headers: req.headers,
    http2: req.httpVersionMajor >= 2,
    // The HTTP/2 compatibility response has no `destroyed` of its own: its stream does.
    clientGone:
      res.destroyed === true || (res as { stream?: { destroyed?: unknown } }).stream?.destroyed === true,
  };
}
