import type { FastifyReply, FastifyRequest } from 'fastify';

import { pathWithoutQuery } from '../http/urls';
import type { RequestFacts } from '../pipeline';
import { isResponseGone } from '../util/response-gone';

/**
 * What the pipeline needs to know of a Fastify request.
 *
 * @example
 * handle(err, fastifyFacts(request, reply), request);
 */
export function fastifyFacts(request: FastifyRequest, reply: FastifyReply): RequestFacts {
  return {
    method: request.method,
    // `originalUrl` is the URL before a `rewriteUrl` changed it: the path the client asked for.
    path: pathWithoutQuery(request.originalUrl),
    headers: request.headers,
    http2: request.raw.httpVersionMajor >= 2,
    clientGone: isResponseGone(reply.raw),
    appRequestId: textOf(reply.getHeader('x-request-id')),
  };
}

function textOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
