import type { Context, Middleware } from 'koa';

import { usageError } from '../misuse/usage-error';
import { parseOptions, type ServerErrorsOptions as Options } from '../options';
import { createPipeline } from '../pipeline';
import { emitOnApp } from './app-error-event';
import { koaFacts } from './request-facts';
import { writeToContext } from './write';
export { drain, type DrainOptions, type DrainStatus, type KoaDrain } from './drain';

/**
 * The options of {@link serverErrors} for Koa: the hooks receive the context, `ctx`.
 *
 * @example
 * const options: ServerErrorsOptions = { traceId: (ctx) => ctx.get('X-Amzn-Trace-Id') || undefined };
 */
export type ServerErrorsOptions = Options<Context>;

const DEFAULTS = { log: emitOnApp };
// One value for every unmatched request: a 404 is answered, never logged.
const NOT_FOUND = Object.freeze({ status: 404 });

/**
 * Creates the Koa middleware. Install it first: it answers anything thrown
 * below it, `ctx.throw(503)` included, with the same status, headers and body
 * as the Node middleware gives for the same error, and a request no middleware
 * answered (Koa's bodiless 404) with a 404 problem. Options are checked here,
 * once: a wrong one throws at start-up. The default log is the app's `error`
 * event, once per 5xx.
 *
 * @example
 * app.use(serverErrors());
 */
export function serverErrors(options?: ServerErrorsOptions): Middleware {
  if (isContext(options)) {
    throw usageError(
      TypeError,
      'ERR_SERVER_ERRORS_NOT_CALLED',
      'serverErrors received a Koa context instead of options: it looks like you wrote app.use(serverErrors). ' +
        'Call it to get the middleware: app.use(serverErrors()).',
    );
  }
  const handle = createPipeline<Context>(parseOptions(options, DEFAULTS));
  function answer(thrown: unknown, ctx: Context): void {
    const facts = koaFacts(ctx);
    if (!ctx.headerSent) {
      handle(thrown, facts, ctx, (plan) => writeToContext(ctx, plan));
      return;
    }
    handle(thrown, facts, ctx);
    // Cut off half-way, the response can only be closed: Koa would end it as if
    // it were complete.
    if (!ctx.res.writableEnded) ctx.res.destroy();
  }
  return async function serverErrorsMiddleware(ctx, next) {
    try {
      await next();
    } catch (err) {
      answer(err, ctx);
      return;
    }
    if (ctx.status === 404 && ctx.body == null && ctx.respond !== false && !ctx.headerSent) {
      answer(NOT_FOUND, ctx);
    }
  };
}

/** What Koa hands a middleware: `app.use(serverErrors)` calls the factory with it. */
function isContext(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'app' in value && 'req' in value && 'res' in value;
}
