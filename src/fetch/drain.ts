import { type DrainOptions, parseDrainOptions } from '../lifecycle/drain-options';
import { drainState, type DrainStatus } from '../lifecycle/drain-state';

export type { DrainOptions, DrainStatus };

/** What answers a refused request: the handler `serverErrors()` of `server-errors/fetch` returns. */
export type DrainErrorHandler = (err: unknown, request: Request) => Response;

/**
 * Stops the runtime's server, when `close()` is given one: `force` is false
 * after `delay` (stop accepting, let the requests in flight finish) and true
 * after `grace` (close what remains), as Bun's `server.stop(force)` takes it.
 * What it returns is awaited, as for Deno's `server.shutdown()`.
 */
export type RuntimeStop = (force: boolean) => unknown;

/** The {@link drain} of a fetch runtime: a wrapper for the fetch handler, its status, the shutdown. */
export interface FetchDrain {
  /**
   * The fetch handler that counts each request in flight until its `Response`
   * is returned (a streamed body is not waited for), answers what `fetch`
   * throws with `handle` as `handle.wrap` does, and once the server stops
   * accepting answers every request with `handle`'s 503 problem. While
   * draining, each response carries `Connection: close`.
   */
  wrap<Rest extends unknown[]>(
    fetch: (request: Request, ...rest: Rest) => Response | Promise<Response>,
    handle: DrainErrorHandler,
  ): (request: Request, ...rest: Rest) => Promise<Response>;
  /** `{ draining, inFlight }`, for a readiness route. */
  status(): DrainStatus;
  /**
   * Runs the shutdown: `delay` (still serving), then `stop(false)`, then waits
   * for the requests in flight, or `grace` and `stop(true)`. Resolves once the
   * last request has finished (or `grace` ran out). A second call returns the
   * same promise.
   *
   * @example
   * process.on('SIGTERM', () => draining.close((force) => server.stop(force))); // Bun
   */
  close(stop?: RuntimeStop): Promise<void>;
}

const nothing = (): void => undefined;

/**
 * Graceful shutdown for fetch runtimes (Bun, Deno, Hono on Node, Workers): the
 * runtime owns the server, so `close()` runs the phases and calls its `stop`.
 * Refusals are `handle`'s problem `Response`: 503 with `Retry-After`,
 * `Cache-Control: no-store` and `Connection: close`. Options are checked
 * here, once, as the Node guard's are.
 *
 * @example
 * const handle = serverErrors();
 * const draining = drain({ delay: 5000 });
 * const server = Bun.serve({ fetch: draining.wrap(app.fetch, handle) });
 * process.on('SIGTERM', () => draining.close((force) => server.stop(force)));
 */
export function drain(options?: DrainOptions): FetchDrain {
  const settings = parseDrainOptions(options);
  // A Response has no connection to mark until it is returned: see wrap.
  const state = drainState<object>(settings, nothing);
  return {
    wrap: (fetch, handle) =>
      async function drainedFetch(request, ...rest) {
        // A token of its own, should a runtime hand the same Request twice.
        const token = {};
        let response: Response;
        try {
          response = state.begin(token) ? await fetch(request, ...rest) : handle(settings.refusal, request);
        } catch (err) {
          response = handle(err, request);
        } finally {
          state.end(token);
        }
        return state.draining() ? closingConnection(response) : response;
      },
    status: state.status,
    close: (stop) =>
      state.close({
        stop: async () => stop?.(false),
        idle: nothing,
        destroy: () => {
          try {
            // Nothing is left to wait for: what the forced stop reports changes nothing.
            Promise.resolve(stop?.(true)).catch(nothing);
          } catch {
            // As above.
          }
        },
      }),
  };
}

/**
 * The response with `Connection: close`. A Response from `fetch()` or
 * `Response.redirect()` has immutable headers: a copy takes the header; one
 * that cannot be copied (a 101 upgrade, an error) goes out as it is.
 */
function closingConnection(response: Response): Response {
  try {
    response.headers.set('Connection', 'close');
    return response;
  } catch {
    try {
      const copy = new Response(response.body, response);
      copy.headers.set('Connection', 'close');
      return copy;
    } catch {
      return response;
    }
  }
}
