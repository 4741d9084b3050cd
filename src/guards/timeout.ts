import type { ServerResponse } from 'node:http';

import { z } from 'zod';

import { GatewayTimeout, ServiceUnavailable } from '../errors/classes';
import { abort, DEADLINE, type Deadline, exposeSignal, type WithDeadline } from './deadline';
import type { Guard } from './guard';
import { claimResponse, releaseResponse } from '../node/late-writes';
import type { ServerError, ServerErrorOptions } from '../errors/server-error';
import { showValue } from '../misuse/show-value';
import { usageError } from '../misuse/usage-error';
import {
  DETAIL_EXPECTED,
  detailOption,
  isRequest,
  MAX_TIMER,
  type OptionsSpec,
  validateOptions,
} from '../misuse/validate-options';

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

const schema = z.strictObject({
  status: z.union([z.literal(503), z.literal(504)]).optional(),
  detail: detailOption,
});

const spec: OptionsSpec<typeof schema.shape> = {
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
