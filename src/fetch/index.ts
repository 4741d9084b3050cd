import { parseOptions, type ErrorLogger, type ServerErrorsOptions as Options } from '../options';
import { createPipeline, type RequestFacts } from '../pipeline';
import type { ResponsePlan } from '../render/response';
import { logToConsole } from './console-log';

export { drain, type DrainOptions, type DrainStatus, type FetchDrain, type RuntimeStop } from './drain';
export { breakerRetryAfter, type CircuitBreakerLike } from '../errors/breaker';

/** The options of {@link serverErrors} for fetch runtimes: the hooks receive the `Request`. */
export type ServerErrorsOptions = Options<Request>;

/** Turns anything thrown into the problem `Response` for a fetch `Request`. */
export interface FetchErrorHandler {
  (err: unknown, request: Request): Response;
  /** The 404 problem for a request no route answered (Hono: `app.notFound`). */
  notFound(request: Request): Response;
  /**
   * A fetch handler that answers whatever `fetch` throws or rejects with: the
   * `fetch` of Bun, Deno and Workers, a Next.js route handler, or a Hono app's
   * (which hands its `onError` only what is an `Error`).
   */
  wrap<Rest extends unknown[]>(
    fetch: (request: Request, ...rest: Rest) => Response | Promise<Response>,
  ): (request: Request, ...rest: Rest) => Promise<Response>;
}

const DEFAULTS: { readonly log: ErrorLogger<Request> } = { log: logToConsole };
const NOT_FOUND = Object.freeze({ status: 404 });

/**
 * Creates the error handler of a fetch runtime: Hono's `onError`, a Next.js
 * route handler's `catch`, Bun, Deno and Cloudflare Workers. It answers like
 * the Node middleware (the same status, headers and body for the same error),
 * HEAD without a body. Options are checked here, once, as the middleware's are.
 *
 * @example
 * const handle = serverErrors();
 * app.onError((err, c) => handle(err, c.req.raw)); // Hono
 * app.notFound((c) => handle.notFound(c.req.raw));
 * export default { fetch: handle.wrap(app.fetch) };
 */
export function serverErrors(options?: ServerErrorsOptions): FetchErrorHandler {
  const handle = createPipeline<Request>(parseOptions(options, DEFAULTS));
  const handler = (err: unknown, request: Request): Response => {
    let response: Response | undefined;
    const status = handle(err, requestFacts(request), request, (plan) => {
      response = toResponse(plan);
    });
    // The client has gone: nobody reads the answer, but a fetch handler must return one.
    return response ?? new Response(null, { status });
  };
  return Object.assign(handler, {
    notFound: (request: Request) => handler(NOT_FOUND, request),
    wrap:
      <Rest extends unknown[]>(fetch: (request: Request, ...rest: Rest) => Response | Promise<Response>) =>
      async (request: Request, ...rest: Rest): Promise<Response> => {
        try {
          return await fetch(request, ...rest);
        } catch (err) {
          return handler(err, request);
        }
      },
  });
}

const READ_HEADERS = ['accept', 'traceparent', 'x-request-id'] as const;

/** What the pipeline needs to know of a fetch `Request`. */
export function requestFacts(request: Request): RequestFacts {
  const headers: Record<string, string | undefined> = {};
  for (const name of READ_HEADERS) headers[name] = request.headers.get(name) ?? undefined;
  return {
    method: request.method,
    path: pathOf(request.url),
    headers,
    http2: false,
    clientGone: request.signal?.aborted === true,
  };
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '/';
  }
}

/**
 * The `Response` of a plan. `Headers` has the last word on a value; one it
 * refuses is left out with the rest of the error's own headers, as the Node
 * writer does.
 */
export function toResponse(plan: ResponsePlan): Response {
  let headers: Headers;
  try {
    headers = headersOf(plan, 0);
  } catch {
    headers = headersOf(plan, plan.errorHeaders);
  }
  return new Response(plan.omitBody ? null : plan.body, {
    status: plan.status,
    ...(plan.statusText === undefined ? {} : { statusText: plan.statusText }),
    headers,
  });
}

function headersOf(plan: ResponsePlan, skip: number): Headers {
  const headers = new Headers();
  plan.headers.forEach(([name, value], index) => {
    if (index < skip) return;
    if (typeof value === 'string') headers.append(name, value);
    else for (const item of value) headers.append(name, item);
  });
  return headers;
}
