import type { Guard } from './guard';
import { type DrainOptions, parseDrainOptions } from '../lifecycle/drain-options';
import type { DrainStatus } from '../lifecycle/drain-state';
import { type DrainableServer, nodeDrain } from '../lifecycle/node-drain';

export type { DrainableServer, DrainOptions, DrainStatus };

/** The {@link drain} middleware, with its status and the shutdown itself. */
export interface DrainGuard extends Guard {
  /** `{ draining, inFlight }`, for a readiness route placed before the middleware. */
  status(): DrainStatus;
  /**
   * Shuts `server` down gracefully: waits `delay` (still serving), stops
   * accepting, lets the requests in flight finish, destroys what remains
   * after `grace`. Resolves once the last request has finished (or `grace`
   * ran out). A second call returns the same promise.
   *
   * @example
   * process.on('SIGTERM', () => draining.close(server).then(() => process.exit(0)));
   */
  close(server: DrainableServer): Promise<void>;
}

/**
 * Graceful shutdown for Express, Connect and `node:http`. Install it first;
 * call `close(server)` on SIGTERM. From then on `status().draining` is true,
 * every response asks for its connection to be closed, and once the server
 * has stopped accepting (after `delay`) a request arriving on a connection
 * still open gets a 503 with `Retry-After`, `Cache-Control: no-store` and
 * `Connection: close`, answered by `serverErrors()` (add it after your
 * routes). Options are checked here, once.
 *
 * @example
 * const draining = drain({ delay: 5000 });
 * app.get('/ready', (req, res) => res.status(draining.status().draining ? 503 : 200).end());
 * app.use(draining);
 * // …routes…
 * app.use(serverErrors());
 * const server = app.listen(3000);
 * process.on('SIGTERM', () => draining.close(server));
 */
export function drain(options?: DrainOptions): DrainGuard {
  const draining = nodeDrain(parseDrainOptions(options));
  const guard: Guard = function drainGuard(_req, res, next) {
    if (draining.admit(res)) next();
    else next(draining.refusal);
  };
  return Object.assign(guard, { status: draining.status, close: draining.close });
}
