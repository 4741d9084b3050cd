import { AsyncResource } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
// Imported: Node's global `performance` is a getter, which runs on every read.
import { performance } from 'node:perf_hooks';

import * as z from 'zod/mini';

import { GatewayTimeout, ServiceUnavailable } from '../errors/classes';
import {
  abort,
  type Deadline,
  deadlineOf,
  exposeSignal,
  holdDeadline,
  isClientGone,
  releaseDeadline,
} from './deadline';
import type { Guard } from './guard';
import { hasStarted } from './response-state';
import { claimResponse, releaseResponse } from '../node/late-writes';
import type { ServerError, ServerErrorOptions } from '../errors/server-error';
import { showValue } from '../misuse/show-value';
import { usageError } from '../misuse/usage-error';
import {
  DETAIL_EXPECTED,
  detailOption,
  isRequest,
  type OptionsSpec,
  type ShapeOf,
  validateOptions,
} from '../misuse/validate-options';
import { MAX_TIMER } from '../util/timers';

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

const schema = () =>
  z.strictObject({
    status: z.optional(z.union([z.literal(503), z.literal(504)])),
    detail: detailOption(),
  });

const spec: OptionsSpec<ShapeOf<typeof schema>> = {
  name: 'timeout',
  schema,
  expected: {
    status: '503 or 504',
    detail: DETAIL_EXPECTED,
  },
  numeric: new Set(['status']),
};

function checkMs(ms: unknown): number {
  if (isRequest(ms)) {
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
  const queue = new DeadlineQueue(delay);

  return function timeoutGuard(req, res, next) {
    const existing = deadlineOf(req);
    if (existing !== undefined) {
      // The deadline passed or the client left: nothing after this guard should run.
      if (existing.aborted !== undefined || isClientGone(res)) return;
      existing.generation++;
      queue.run(req, existing, res, next, error);
      return;
    }
    const deadline: Deadline = {
      generation: 0,
      res: exposeSignal(req, res) ? undefined : res,
      controller: undefined,
      aborted: undefined,
    };
    queue.run(req, deadline, res, next, error);
  };
}

/** A deadline as one guard's queue holds it. */
interface Entry {
  /** When it passes, by performance.now(). */
  readonly at: number;
  readonly deadline: Deadline;
  /** The deadline's generation when this guard set it: a later `timeout()` on the request replaces it. */
  readonly generation: number;
  readonly res: ServerResponse;
  /** How the answer goes to the error handler, for a route that ignores its signal. */
  readonly next: (err?: unknown) => void;
  readonly error: () => ServerError;
  /**
   * The async context of the request as it stands when the guard's `next()`
   * returns, for the answer (AsyncLocalStorage values).
   */
  readonly scope: AsyncResource;
}

/**
 * The deadlines of one `timeout(ms)` guard. All share one duration, so they pass
 * in the order they were set: a queue with one timer, armed for its head, does
 * the work of a timer per request (each one cost an allocation and a timer-list
 * insert, and a 'close' listener to clear it: most of the guards' cost on the
 * success path, measured). A deadline that passes runs in the async context of
 * its request, so the error handler's `log` and `customize` see what an
 * AsyncLocalStorage held there. The timer is unref'd: in-flight requests keep
 * the process alive through their sockets, and a queue of finished ones must
 * not. A request answered before the guard's `next()` returns never joins
 * it (nor arms its timer); other finished ones leave when their deadline
 * comes, or sooner when they pile up, so it holds no more than the requests
 * of the last `ms` that waited.
 */
class DeadlineQueue {
  readonly #ms: number;
  #entries: Entry[] = [];
  #head = 0;
  /** The entry the timer is armed for: due when the timer fires. */
  #armedFor: Entry | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #compactAt = COMPACT_AT;

  constructor(ms: number) {
    this.#ms = ms;
  }

  /** Sets the request's deadline, from now, and runs the rest of its chain (`next`) under it. */
  run(
    req: IncomingMessage,
    deadline: Deadline,
    res: ServerResponse,
    next: Entry['next'],
    error: Entry['error'],
  ): void {
    const at = performance.now() + this.#ms;
    const { generation } = deadline;
    holdDeadline(req, deadline);
    try {
      next();
    } finally {
      // The synchronous part of the chain has run. A request it answered (a
      // cached or computed answer, a refusal) needs no place in the queue. One
      // that waits takes the async context it will be answered in, which costs
      // an AsyncResource (about 1 500 instructions): only such requests pay it.
      const waiting = answersFor(deadline, generation, res);
      if (waiting)
        this.#enqueue({ at, deadline, generation, res, next, error, scope: new AsyncResource(SCOPE) });
      releaseDeadline(waiting, res);
    }
  }

  /**
   * Queues the entry of a request that waits, in deadline order: one queued
   * after a request that arrived later (handled synchronously inside its own
   * route) goes before that one's.
   */
  #enqueue(entry: Entry): void {
    const entries = this.#entries;
    let index = entries.length;
    while (index > this.#head && (entries[index - 1] as Entry).at > entry.at) index--;
    if (index === entries.length) entries.push(entry);
    else entries.splice(index, 0, entry);
    const armedFor = this.#armedFor;
    if (armedFor === undefined || entry.at < armedFor.at) {
      // No timer yet, or one armed for a later deadline (clearTimeout(undefined) does nothing).
      clearTimeout(this.#timer);
      this.#arm(entry, entry.at - performance.now());
    } else if (entries.length - this.#head > this.#compactAt) {
      this.#compact();
    }
  }

  #arm(entry: Entry, delay: number): void {
    this.#armedFor = entry;
    this.#timer = setTimeout(fire, Math.max(1, Math.ceil(delay)), this);
    this.#timer.unref();
  }

  /** The timer fired: answer every live deadline that has passed, then arm for the next. */
  due(): void {
    const armedFor = this.#armedFor;
    this.#timer = undefined;
    this.#armedFor = undefined;
    const now = performance.now();
    const entries = this.#entries;
    while (this.#head < entries.length) {
      const entry = entries[this.#head] as Entry;
      if (entry !== armedFor && entry.at > now) break;
      this.#head++;
      if (isLive(entry)) entry.scope.runInAsyncScope(onTimeout, undefined, entry);
    }
    if (this.#head === entries.length) {
      this.#entries = [];
      this.#head = 0;
      return;
    }
    const next = entries[this.#head] as Entry;
    this.#arm(next, next.at - now);
  }

  /**
   * Drops the entries of finished requests, in place, so the queue holds only
   * the live ones: a finished request's objects go while they are young (held
   * until hundreds piled up, they outlived the young generation, and the old
   * one's collections cost every request). The timer stays as it is: armed for an
   * entry at least as old as the new head, it fires no later than the head is
   * due, and `due()` arms it again for what is left.
   */
  #compact(): void {
    const entries = this.#entries;
    let kept = 0;
    for (let i = this.#head; i < entries.length; i++) {
      const entry = entries[i] as Entry;
      if (isUnanswered(entry)) entries[kept++] = entry;
    }
    entries.length = kept;
    this.#head = 0;
    this.#compactAt = Math.max(COMPACT_AT, 2 * kept);
  }
}

// How many entries a queue holds before it drops those of finished requests;
// it then waits for twice as many as remain live. Small, so that finished
// requests are let go while still young (256 cost the success path about 6 %
// of its CPU, measured); the pass is in place and costs no allocation.
const COMPACT_AT = 16;
const SCOPE = 'server-errors.timeout';

function fire(queue: DeadlineQueue): void {
  queue.due();
}

/**
 * Whether an entry still answers for its request: not replaced, not answered
 * (an answer under way is the route's; a 503 can no longer be sent), not abandoned.
 */
function isLive(entry: Entry): boolean {
  return isUnanswered(entry) && !entry.res.destroyed;
}

/**
 * {@link isLive} without the test for a client that left, for the compaction
 * pass (and, as {@link answersFor}, for `run`): such a rare entry may stay
 * until its deadline, where every entry would pay one more read of its
 * response (each a lookup of its own under Express, whose responses share no
 * hidden class).
 */
function isUnanswered(entry: Entry): boolean {
  return answersFor(entry.deadline, entry.generation, entry.res);
}

/** {@link isUnanswered}, asked of a deadline before its entry exists. */
function answersFor(deadline: Deadline, generation: number, res: ServerResponse): boolean {
  return deadline.generation === generation && deadline.aborted === undefined && !hasStarted(res);
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
function onTimeout(entry: Entry): void {
  // due() runs it only for a live entry, just after asking isLive.
  const error = entry.error();
  claimResponse(entry.res, error);
  abort(entry.deadline, error);
  setImmediate(answerUnlessAnswered, entry, error);
}

function answerUnlessAnswered(entry: Entry, error: ServerError): void {
  const { res } = entry;
  // The error handler released the claim when it answered; the rest is for next.
  if (releaseResponse(res) === undefined || res.headersSent || res.destroyed) return;
  entry.next(error);
}
