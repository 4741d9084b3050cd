import type { FastifyReply } from 'fastify';
import vary from 'vary';

import { STALE_HEADERS } from '../http/headers';
import type { ResponsePlan } from '../render/response';

/**
 * Applies a response plan through Fastify's reply, so the app's `onSend` hooks
 * see the error's answer as they see any other. Headers the route set for the
 * answer it meant to send are removed first; the rest of what it set (CORS,
 * cookies, Fastify's `Connection: close` after a body it gave up reading)
 * stays.
 *
 * @example
 * handle(err, fastifyFacts(request, reply), request, (plan) => writeReply(reply, plan));
 */
export function writeReply(reply: FastifyReply, plan: ResponsePlan): void {
  for (const name of Object.keys(reply.getHeaders())) if (STALE_HEADERS.has(name)) reply.removeHeader(name);
  for (const [name, value] of plan.headers) {
    // Vary lists what the route's answer varied on too (CORS's Origin, say).
    if (name === 'Vary') reply.header(name, vary.append(varyOf(reply), value as string));
    // Fastify adds a Set-Cookie to the route's; the plan's value is the whole field.
    else reply.removeHeader(name).header(name, value);
  }
  reply.code(plan.status);
  // Node knows no reason phrase for 598 and 599; the catalog does. The plan has
  // none for HTTP/2, where Node warns when one is set.
  if (plan.statusText !== undefined) reply.raw.statusMessage = plan.statusText;
  send(reply, plan, payloadOf(plan));
}

function varyOf(reply: FastifyReply): string {
  const current = reply.getHeader('vary');
  if (current === undefined) return '';
  return Array.isArray(current) ? current.join(', ') : String(current);
}

/**
 * What `reply.send` gets: the body, also for HEAD. A Buffer goes out as it is,
 * where a string would go through a serializer the route set with
 * `reply.serializer()`. Fastify's automatic HEAD route measures the payload it
 * is given for Content-Length before dropping it, an `onSend` hook (an ETag)
 * sees what it sees for GET, and Node sends no body for HEAD whatever it is
 * handed (RFC 9110 §9.3.2).
 */
function payloadOf(plan: ResponsePlan): Buffer {
  return Buffer.from(plan.body);
}

/**
 * In an app without `onSend` hooks Fastify writes the head inside `send`, so a
 * header Node refuses there (one it checks only in the head) is known at once:
 * the answer then goes out without the error's own headers, as the Node writer
 * does, and one that cannot be written at all is closed, never left hanging.
 * With a hook, the hook runner writes the head and hands a failure to Fastify's
 * own error handler.
 */
function send(reply: FastifyReply, plan: ResponsePlan, payload: Buffer): void {
  try {
    reply.send(payload);
    return;
  } catch {
    for (const [name] of plan.headers.slice(0, plan.errorHeaders)) reply.removeHeader(name);
  }
  try {
    reply.send(payload);
  } catch {
    reply.raw.destroy();
  }
}
