import type { Middleware } from 'koa';

import { type DrainOptions, parseDrainOptions } from '../lifecycle/drain-options';
import type { DrainStatus } from '../lifecycle/drain-state';
import { type DrainableServer, nodeDrain } from '../lifecycle/node-drain';

export type { DrainableServer, DrainOptions, DrainStatus };

/** The {@link drain} middleware of Koa, with its status and the shutdown itself. */
export interface KoaDrain extends Middleware {
  /** `{ draining, inFlight }`, for a readiness route. */
  status(): DrainStatus;
  /**
   * Shuts down the server `app.listen()` returned: waits `delay` (still
   * serving), stops accepting, lets the requests in flight finish, destroys
   * what remains after `grace`. A second call returns the same promise.
   *
   * @example
   * process.on('SIGTERM', () => draining.close(server));
   */
  close(server: DrainableServer): Promise<void>;
}

/**
 * Graceful shutdown for Koa 2 and 3. Install it right after `serverErrors()`,
 * which answers its refusals: once the server has stopped accepting (after
 * `delay`), a request arriving on a connection still open gets a 503 problem
 * with `Retry-After`, `Cache-Control: no-store` and `Connection: close`.
 * Options are checked here, once.
 *
 * @example
 * const draining = drain({ delay: 5000 });
 * app.use(serverErrors());
 * app.use(draining);
 * const server = app.listen(3000);
 * process.on('SIGTERM', () => draining.close(server));
 */
export function drain(options?: DrainOptions): KoaDrain {
  const draining = nodeDrain(parseDrainOptions(options));
  const middleware: Middleware = function drainMiddleware(ctx, next) {
    if (draining.admit(ctx.res)) return next();
    // Thrown, not answered here: serverErrors() above writes it, with the app's options.
    throw draining.refusal;
  };
  return Object.assign(middleware, { status: draining.status, close: draining.close });
}
