import type { IncomingMessage } from 'node:http';

/**
 * The path the client asked for, without query or fragment (a query may hold
 * tokens, and the path goes into bodies and logs). Express's `originalUrl` keeps
 * the mount path a sub-app strips from `url`, so every mount point sees the
 * same path.
 */
export function requestPath(req: IncomingMessage): string {
  const url = (req as { originalUrl?: unknown }).originalUrl ?? req.url;
  if (typeof url !== 'string') return '/';
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}
