import type { FastifyInstance, FastifyPluginAsync } from 'fastify';

import { type DrainOptions, parseDrainOptions } from '../lifecycle/drain-options';
import type { DrainStatus } from '../lifecycle/drain-state';
import { nodeDrain } from '../lifecycle/node-drain';
import { showValue } from '../misuse/show-value';
import { usageError } from '../misuse/usage-error';
import { wholeAppPlugin } from './whole-app-plugin';

export type { DrainOptions, DrainStatus };

/** The {@link drain} plugin of Fastify, with its status and the shutdown itself. */
export interface FastifyDrain extends FastifyPluginAsync {
  /** `{ draining, inFlight }`, for a readiness route. */
  status(): DrainStatus;
  /**
   * Shuts `app` down: waits `delay` (still serving), stops its server
   * accepting, lets the requests in flight finish, destroys what remains after
   * `grace`, then runs `app.close()` (and so the app's `onClose` hooks).
   * Resolves once that is done. A second call returns the same promise.
   *
   * @example
   * process.on('SIGTERM', () => draining.close(app));
   */
  close(app: FastifyInstance): Promise<void>;
}

/**
 * Graceful shutdown for Fastify 5, as a plugin for the whole app (it skips
 * Fastify's encapsulation, as fastify-plugin does). Register it after
 * `serverErrors`, which answers its refusals, and before the routes: once the
 * server has stopped accepting (after `delay`), a request arriving on a
 * connection still open gets a 503 problem with `Retry-After`,
 * `Cache-Control: no-store` and `Connection: close`. Fastify's own closing
 * (`return503OnClosing`, `forceCloseConnections`) starts only when `close()`
 * ends with `app.close()`, once nothing is left to answer. Options are checked
 * here, once.
 *
 * @example
 * const draining = drain({ delay: 5000 });
 * await app.register(serverErrors);
 * await app.register(draining);
 * process.on('SIGTERM', () => draining.close(app));
 */
export function drain(options?: DrainOptions): FastifyDrain {
  if (isFastify(options)) {
    const error = usageError(
      TypeError,
      'ERR_SERVER_ERRORS_NOT_CALLED',
      'drain from server-errors/fastify makes the plugin: call it and register what it returns, ' +
        'await app.register(drain(options)).',
    );
    // Fastify's loader is the caller here: a rejection fails the register,
    // where a throw would escape it as an uncaught exception.
    return Promise.reject(error) as never;
  }
  const draining = nodeDrain(parseDrainOptions(options));
  let closing: Promise<void> | undefined;
  async function drainPlugin(app: FastifyInstance): Promise<void> {
    // onRequest runs before the body is read or a route's hooks: a refused
    // request costs nothing more.
    app.addHook('onRequest', (_request, reply, done) => {
      if (draining.admit(reply.raw)) done();
      else done(draining.refusal);
    });
  }
  return Object.assign(drainPlugin, wholeAppPlugin('server-errors-drain'), {
    status: draining.status,
    close(app: FastifyInstance): Promise<void> {
      if (!isFastify(app)) {
        return Promise.reject(
          usageError(
            TypeError,
            'ERR_SERVER_ERRORS_INVALID_OPTION',
            `drain().close(app): app must be the Fastify instance the plugin is registered on; received ${showValue(app)}.`,
          ),
        );
      }
      // Its own server first: once app.close() starts, Fastify answers late
      // requests with its own 503 (return503OnClosing), not the problem.
      closing ??= draining.close(app.server).then(() => app.close());
      return closing;
    },
  });
}

/** What Fastify hands a plugin: `app.register(drain)` calls the factory with it. */
function isFastify(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<FastifyInstance>).register === 'function' &&
    typeof (value as Partial<FastifyInstance>).addHook === 'function'
  );
}
