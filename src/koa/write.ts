import type { Context } from 'koa';
import vary from 'vary';

import { STALE_HEADERS } from '../http/headers';
import type { ResponsePlan } from '../render/response';

/**
 * Applies a response plan through Koa's context: Koa then sends it as it
 * sends any answer (HEAD without its body), and the middleware above sees it in
 * `ctx.status` and `ctx.body`. Koa's body setter types and measures what it is
 * given, and turns an empty body into a 204; so the body is set first, and the
 * plan's own headers replace what the setter chose, with the stale headers the
 * route set for the answer it meant to send. The rest of what it set (CORS,
 * cookies) stays. A header Node refuses leaves the error's own headers out.
 *
 * @example
 * handle(err, koaFacts(ctx), ctx, (plan) => writeToContext(ctx, plan));
 */
export function writeToContext(ctx: Context, plan: ResponsePlan): void {
  // A route that meant to write the response itself failed before it did.
  ctx.respond = true;
  ctx.status = plan.status;
  // Koa knows no reason phrase for 598 and 599; the catalog does. The plan has
  // none for HTTP/2, which has none.
  if (plan.statusText !== undefined) ctx.message = plan.statusText;
  // Koa sends no body for HEAD, and keeps the Content-Length it finds set.
  ctx.body = plan.body;
  for (const name of ctx.res.getHeaderNames()) {
    if (STALE_HEADERS.has(name) || name === 'content-type') ctx.remove(name);
  }
  try {
    setHeaders(ctx, plan, 0);
  } catch {
    for (const [name] of plan.headers.slice(0, plan.errorHeaders)) ctx.remove(name);
    setHeaders(ctx, plan, plan.errorHeaders);
  }
}

function setHeaders(ctx: Context, plan: ResponsePlan, from: number): void {
  plan.headers.forEach(([name, value], index) => {
    if (index < from) return;
    // Vary lists what the route's answer varied on too (CORS's Origin, say).
    if (name === 'Vary' && typeof value === 'string') ctx.set(name, varyWith(ctx, value));
    else ctx.set(name, typeof value === 'string' ? value : [...value]);
  });
}

function varyWith(ctx: Context, value: string): string {
  const before = ctx.res.getHeader('Vary');
  if (before === undefined || before === '') return value;
  // The plan's Vary is a list of field names (checkHeader sees to it).
  return vary.append(Array.isArray(before) ? before.join(', ') : String(before), value);
}
