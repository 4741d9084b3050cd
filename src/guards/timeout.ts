import { IncomingMessage, type ServerResponse } from 'node:http';
import { Http2ServerRequest } from 'node:http2';

import { z } from 'zod';

import { GatewayTimeout, ServiceUnavailable } from '../errors/classes';
import type { Guard } from './guard';
import { claimResponse, releaseResponse } from '../node/late-writes';
import type { ServerError, ServerErrorOptions } from '../errors/server-error';
import { showValue } from '../misuse/show-value';
import { usageError } from '../misuse/usage-error';
import { type OptionsSpec, validateOptions } from '../misuse/validate-options';

/** The options of {@link timeout}. */
export interface TimeoutOptions {
  /**
   * The status of the answer: `503`, as connect-timeout sends, or `504` for a
   * gateway or proxy whose upstream is what did not answer. Defaults to `503`.
   */
  status?: 503 | 504;
  /**
   * The problem's public `detail`. Defaults to `"The server did not finish the
   * request in time."` (503) or `"The upstream server did not answer in time."` (504).
   */
  detail?: string;
}

// setTimeout turns anything longer into 1 ms, with only a warning.
const MAX_TIMER = 2 ** 31 - 1;

const schema = z.strictObject({
  status: z.union([z.literal(503), z.literal(504)]).optional(),
  detail: z.string().min(1).optional(),
});

const spec: OptionsSpec<typeof schema.shape> = {
  name: 'timeout',
  schema,
  expected: {
    '': 'an options object',
    status: '503 or 504',
    detail: 'a non-empty string',
  },
  numeric: new Set(['status']),
};

/** One request's deadline, shared by the timer, the response's 'close' and the signal. */
interface Deadline {
  timer: ReturnType<typeof setTimeout> | undefined;
  res: ServerResponse;
  next: (err?: unknown) => void;
  error: () => ServerError;
  /** Created when the route first asks for the signal. */
  controller: AbortController | undefined;
  /** Set once the deadline has aborted: why, for a signal asked for afterwards. */
  aborted: { reason: unknown } | undefined;
}

const DEADLINE = Symbol('server-errors.timeout');

type WithDeadline = { [DEADLINE]?: Deadline };

const SIGNAL_PROPERTY: PropertyDescriptor = {
  configurable: true,
  enumerable: false,
  get(this: IncomingMessage) {
    return requestSignal(this);
  },
};

/** Request prototypes that carry the getter of {@link prototypeSignal}. */
const signalPrototypes = new WeakSet<object>();

/**
 * `signal` on a framework's request prototype: the deadline's signal for a
 * request under {@link timeout}, and for any other request whatever the rest of
 * the prototype chain says (undefined, unless something else defines it).
 */
function prototypeSignal(proto: object): PropertyDescriptor {
  const parent: unknown = Object.getPrototypeOf(proto);
  return {
    configurable: true,
    enumerable: false,
    get(this: IncomingMessage) {
      if ((this as WithDeadline)[DEADLINE] !== undefined) return requestSignal(this);
      return typeof parent === 'object' && parent !== null ? Reflect.get(parent, 'signal', this) : undefined;
    },
  };
}

/**
 * Gives `req` its `signal`. Express points every request of an app at a
 * prototype of that app's own (`app.request`): one getter there serves them
 * all, where defining a property on each request cost 5 to 8% of a small
 * route's CPU (measured). Node's own request prototypes are shared by every
 * server in the process, so a bare node:http or Connect request gets a property
 * of its own instead, as does one whose prototype already has a `signal`.
 */
function exposeSignal(req: IncomingMessage): void {
  const proto: unknown = Object.getPrototypeOf(req);
  if (typeof proto !== 'object' || proto === null) {
    Object.defineProperty(req, 'signal', SIGNAL_PROPERTY);
    return;
  }
  if (signalPrototypes.has(proto)) return;
  if (
    proto === IncomingMessage.prototype ||
    proto === Http2ServerRequest.prototype ||
    Object.hasOwn(proto, 'signal') ||
    !Object.isExtensible(proto)
  ) {
    Object.defineProperty(req, 'signal', SIGNAL_PROPERTY);
    return;
  }
  Object.defineProperty(proto, 'signal', prototypeSignal(proto));
  signalPrototypes.add(proto);
}

function checkMs(ms: unknown): number {
  if (typeof ms === 'object' && ms !== null && 'method' in ms && 'headers' in ms) {
    throw usageError(
      TypeError,
      'ERR_SERVER_ERRORS_NOT_CALLED',
      'timeout received a request instead of a duration: it looks like you wrote app.use(timeout). ' +
        'Call it with the milliseconds to allow: app.use(timeout(5000)).',
    );
  }
  if (typeof ms === 'number' && ms >= 1 && ms <= MAX_TIMER) return ms;
  throw usageError(
    typeof ms === 'number' ? RangeError : TypeError,
    'ERR_SERVER_ERRORS_INVALID_OPTION',
    `timeout(): ms must be a number of milliseconds from 1 to ${MAX_TIMER}; received ${showValue(ms)}.`,
  );
}

/**
 * Answers for a route that takes too long: after `ms` without an answer, the
 * request gets a 503 (or a 504 with `status: 504`), written by `serverErrors()`,
 * and the signal of {@link requestSignal} (also `req.signal`) aborts so the work
 * the route started stops. Whatever the route sends afterwards is dropped
 * without an error. Once the route has started its response the deadline no
 * longer applies. A later `timeout()` on the same request replaces the deadline.
 *
 * @example
 * app.use(timeout(5000));
 * app.get('/report', async (req, res) => res.json(await fetch(url, { signal: requestSignal(req) }).then((r) => r.json())));
 * app.use(serverErrors());
 */
export function timeout(ms: number, options?: TimeoutOptions): Guard {
  const delay = checkMs(ms);
  const { status = 503, detail } = validateOptions(spec, options);
  const errorOptions: ServerErrorOptions = Object.freeze({
    detail:
      detail ??
      (status === 504
        ? 'The upstream server did not answer in time.'
        : 'The server did not finish the request in time.'),
    message: `timeout(): no answer within ${delay} ms`,
  });
  const error =
    status === 504 ? () => new GatewayTimeout(errorOptions) : () => new ServiceUnavailable(errorOptions);
  keepTimerListAlive(delay);

  return function timeoutGuard(req, res, next) {
    const existing = (req as WithDeadline)[DEADLINE];
    if (existing !== undefined) {
      // The deadline passed or the client left: nothing after this guard should run.
      if (existing.aborted !== undefined) return;
      clearTimeout(existing.timer);
      existing.next = next;
      existing.error = error;
      existing.timer = setTimeout(onTimeout, delay, existing);
      return next();
    }
    const deadline: Deadline = {
      timer: undefined,
      res,
      next,
      error,
      controller: undefined,
      aborted: undefined,
    };
    deadline.timer = setTimeout(onTimeout, delay, deadline);
    (req as WithDeadline)[DEADLINE] = deadline;
    exposeSignal(req);
    res.on('close', onClose);
    next();
  };
}

/**
 * Node keeps one list of timers per duration and deletes it when its last timer
 * is cleared; the next setTimeout then rebuilds it, with a priority-queue insert
 * and a libuv re-arm. Requests that finish before the next one starts would pay
 * that every time (a fifth of the CPU of a small route, measured). One idle,
 * unref'd timer of the same duration keeps the list, so a request's timer is a
 * plain list append and removal.
 */
function keepTimerListAlive(delay: number): void {
  const keeper = setTimeout(function refresh() {
    keeper.refresh();
  }, delay);
  keeper.unref();
}

/**
 * The request's abort signal: it aborts when the {@link timeout} deadline
 * passes (its reason is the error that was answered) or when the client goes
 * away before the response is sent. Hand it to `fetch`, database drivers and
 * anything else that takes a signal. Throws when no `timeout()` ran for the request.
 *
 * @example
 * const rows = await db.query(sql, { signal: requestSignal(req) });
 */
export function requestSignal(req: IncomingMessage): AbortSignal {
  const deadline = (req as WithDeadline)[DEADLINE];
  if (deadline === undefined) {
    throw usageError(
      TypeError,
      'ERR_SERVER_ERRORS_NOT_CALLED',
      'requestSignal(req): no timeout() ran for this request; add app.use(timeout(ms)) before the route.',
    );
  }
  if (deadline.controller === undefined) {
    deadline.controller = new AbortController();
    if (deadline.aborted !== undefined) deadline.controller.abort(deadline.aborted.reason);
  }
  return deadline.controller.signal;
}

function abort(deadline: Deadline, reason?: unknown): void {
  deadline.aborted = { reason };
  deadline.controller?.abort(reason);
}

/**
 * The deadline passed. The route's calls are aborted first, so the rejection of
 * what it awaits travels the usual way, as the route's own error, to the error
 * handler: answering through `next` here would use up the router's place in
 * its middleware list, and hand that rejection to Express's final handler
 * instead (a stack trace on stderr, the keep-alive connection destroyed). The
 * response is claimed meanwhile, so whatever the route answers after the abort
 * is dropped and the error handler answers with this deadline's error. A route
 * that ignores its signal gets the answer through `next`, once the abort's
 * consequences have run.
 */
function onTimeout(deadline: Deadline): void {
  const { res } = deadline;
  // An answer under way is the route's; a 503 can no longer be sent.
  if (res.headersSent || res.destroyed) return;
  const error = deadline.error();
  claimResponse(res, error);
  abort(deadline, error);
  setImmediate(answerUnlessAnswered, deadline, error);
}

function answerUnlessAnswered(deadline: Deadline, error: ServerError): void {
  const { res } = deadline;
  // The error handler released the claim when it answered; the rest is for next.
  if (releaseResponse(res) === undefined || res.headersSent || res.destroyed) return;
  deadline.next(error);
}

function onClose(this: ServerResponse): void {
  // Node (and Express) point a response at its request; the deadline lives there
  // only, as one more property on every response costs a little on every request.
  const deadline = (this.req as WithDeadline | undefined)?.[DEADLINE];
  if (deadline === undefined) return;
  clearTimeout(deadline.timer);
  // The client went away: nobody waits for the work any more.
  if (!this.writableFinished && deadline.aborted === undefined) abort(deadline);
}
