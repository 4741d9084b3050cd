import { AsyncResource } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';

import { type AdmissionOptions, parseAdmissionOptions } from './admission-options';
import { type AdmissionQueue, admissionQueue, type AdmissionStatus } from '../admission/admission-queue';
import type { ServiceUnavailable } from '../errors/classes';
import { showValue } from '../misuse/show-value';
import { usageError } from '../misuse/usage-error';
import { parseOptions } from '../options';
import { createPipeline, type Handle } from '../pipeline';
import { negotiate } from '../render/negotiate';
import type { ResponsePlan } from '../render/response';
import { isResponseGone } from '../util/response-gone';
import { compileAllow } from './allow-rules';
import type { Guard } from './guard';
import { writeResponse } from '../node/write';

export type { AdmissionOptions, AdmissionStatus };

/** A `node:http` request listener: what `http.createServer()` takes, and an Express or Koa `callback()` is. */
export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** The {@link admission} middleware, the same gate in front of a whole app, and its figures. */
export interface AdmissionGate<Req extends IncomingMessage = IncomingMessage> extends Guard<Req> {
  /**
   * The gate in front of `listener` (an Express app, Koa's `callback()`, any
   * request listener): requests wait here before the framework sees them,
   * and a refusal is a 503 made once and written straight to `node:http`,
   * which costs a fraction of a served request. It shares the gate's queue
   * and limit with the middleware.
   *
   * @example
   * const gate = admission();
   * http.createServer(gate.wrap(app)).listen(3000);
   */
  wrap(listener: RequestListener): RequestListener;
  /** `{ limit, inFlight, queued, overloaded, admitted, refused, skipped }`, for a metrics route. */
  status(): AdmissionStatus;
}

/** One request at the gate: what starts it, what refuses it. */
interface Pending {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The middleware's `next`, or the wrapped listener. */
  readonly next: ((err?: unknown) => void) | undefined;
  readonly listener: RequestListener | undefined;
  /** The async context it arrived in, kept while it waits. */
  resource: AsyncResource | undefined;
}

/**
 * Admission control: a limit on requests in flight that adapts to the latency
 * it measures (or `maxInFlight`), and a bounded queue in front of it. While the
 * server keeps up, requests start at once; when they arrive faster than it
 * serves, they wait, in order at first and newest first once the queue stops
 * emptying, and a request that waited too long (or arrives to a full queue) is
 * refused with a 503, a jittered `Retry-After` and `Cache-Control: no-store`.
 * A queued request whose client has gone is dropped unserved. Unlike a limit on
 * event-loop delay, the queue sees the backlog as it forms and refuses only
 * what cannot be served in time, so the server keeps serving at capacity.
 *
 * As middleware, install it first; refusals go to `serverErrors()`. In front
 * of the framework (`http.createServer(gate.wrap(app))`), refusals are
 * precomputed and cheaper still. Options are checked here, once.
 *
 * @example
 * const gate = admission({ allow: ['/health'] });
 * app.get('/metrics/admission', (req, res) => res.json(gate.status()));
 * app.use(gate);
 * // …routes…
 * app.use(serverErrors());
 */
export function admission<Req extends IncomingMessage = IncomingMessage>(
  options?: AdmissionOptions<Req>,
): AdmissionGate<Req> {
  const settings = parseAdmissionOptions<Req>(options);
  const allowed = compileAllow<Req>(settings.allow);
  const { refusals } = settings;
  const written = precomputedRefusals(refusals);
  const queue: AdmissionQueue<Pending> = admissionQueue<Pending>(settings, {
    start(pending, startedAt) {
      const { res } = pending;
      res.once('close', () => queue.finish(startedAt));
      const { resource } = pending;
      if (resource === undefined) run(pending);
      else resource.runInAsyncScope(run, undefined, pending);
    },
    refuse(pending) {
      if (pending.next !== undefined) pending.next(refusals[pick(refusals)]);
      else written(pending.req, pending.res);
    },
    gone: ({ res }) => isResponseGone(res),
    park(pending) {
      // Without it, a request started from the queue would run in the context
      // of whichever request scheduled the turn: its trace, its logger's fields.
      pending.resource = new AsyncResource('server-errors.admission');
    },
  });

  const guard: Guard<Req> = function admissionGuard(req, res, next) {
    if (allowed?.(req) === true) return next();
    queue.offer({ req, res, next, listener: undefined, resource: undefined });
  };
  return Object.assign(guard, {
    wrap(listener: RequestListener): RequestListener {
      if (typeof listener !== 'function') {
        throw usageError(
          TypeError,
          'ERR_SERVER_ERRORS_INVALID_OPTION',
          `admission().wrap(listener): listener must be a request listener (req, res) => void, such as an Express app or Koa's app.callback(); received ${showValue(listener)}.`,
        );
      }
      return function admissionListener(req: IncomingMessage, res: ServerResponse): void {
        if (allowed?.(req as Req) === true) return listener(req, res);
        queue.offer({ req, res, next: undefined, listener, resource: undefined });
      };
    },
    status: () => queue.status(),
  });
}

function run(pending: Pending): void {
  if (pending.next !== undefined) return pending.next();
  try {
    (pending.listener as RequestListener)(pending.req, pending.res);
  } catch (error) {
    // Thrown as if from Node's own 'request' event, which is where it would
    // have surfaced without the gate, and without stopping the gate's turn.
    queueMicrotask(() => {
      throw error;
    });
  }
}

/** A random index into `list`: refusals spread over their `Retry-After`s. */
function pick(list: readonly unknown[]): number {
  return Math.floor(Math.random() * list.length);
}

/**
 * Writes a refusal without running the pipeline per request: its answer for
 * each body format, `Retry-After`, HEAD or not and HTTP/1 or 2 is made once,
 * on first use, by the same pipeline `serverErrors()` runs (default options, no
 * trace id, no `instance`). At most 5 formats × 16 delays × 4.
 */
function precomputedRefusals(refusals: readonly ServiceUnavailable[]): RequestListener {
  let pipeline: Handle<IncomingMessage> | undefined;
  const plans = new Map<string, ResponsePlan>();

  function planFor(req: IncomingMessage, index: number): ResponsePlan | undefined {
    const { accept } = req.headers;
    const format = negotiate(accept);
    const method = req.method === 'HEAD' ? 'HEAD' : 'GET';
    const http2 = req.httpVersionMajor >= 2;
    const key = `${format.contentType} ${index} ${method} ${http2}`;
    let plan = plans.get(key);
    if (plan === undefined) {
      pipeline ??= createPipeline<IncomingMessage>(
        parseOptions({ log: false, traceId: false, openTelemetry: false, debug: false }, NO_LOG),
      );
      pipeline(
        refusals[index],
        { method, path: '/', headers: { accept }, http2, clientGone: false, shared: true },
        req,
        (made) => (plan = made),
      );
      if (plan !== undefined) plans.set(key, plan);
    }
    return plan;
  }

  return (req, res) => {
    const plan = planFor(req, pick(refusals));
    if (plan === undefined) res.destroy();
    else writeResponse(req, res, plan);
  };
}

const NO_LOG = { log: () => undefined };
