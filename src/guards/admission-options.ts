import type { IncomingMessage } from 'node:http';

import * as z from 'zod/mini';

import { ServiceUnavailable } from '../errors/classes';
import { refusal } from '../errors/refusal';
import type { AllowRule } from './allow-rule';
import { ALLOW_EXPECTED, allowHint, allowOption } from './allow-rules';
import {
  DETAIL_EXPECTED,
  detailOption,
  type OptionsSpec,
  type ShapeOf,
  RETRY_AFTER_EXPECTED,
  retryAfterSeconds,
  validateOptions,
} from '../misuse/validate-options';
import { MAX_TIMER } from '../util/timers';

/** The options of `admission()`. */
export interface AdmissionOptions<Req extends IncomingMessage = IncomingMessage> {
  /**
   * A fixed limit on the requests in flight (started and not yet finished).
   * Defaults to a limit that adapts by itself, from 2 to 1000, to the latency
   * it measures (a gradient limit, as Netflix's concurrency-limits computes
   * it): it grows while requests take no longer than they usually do and
   * shrinks as they slow down.
   */
  maxInFlight?: number;
  /**
   * The most requests waiting to start; when one more arrives, the one that
   * has waited longest is refused. Defaults to `1000`.
   */
  maxQueue?: number;
  /**
   * Milliseconds a request may wait to start while the queue still empties
   * now and then; once it has not been empty for 100 ms (or for 20 ms, with
   * requests bringing more handler time than passes), the server is
   * overloaded until the queue stays empty for 100 ms, and a request that
   * cannot start within 3 ms of arriving is refused, as Facebook's adaptive
   * LIFO with CoDel does. Defaults to `500`.
   */
  queueTimeout?: number;
  /**
   * Seconds a refused client should wait, sent as `Retry-After`: each refusal
   * draws a whole number of seconds from `retryAfter` to twice that (at most
   * 15 more), so refused clients do not all come back in the same second.
   * Defaults to `2`.
   */
  retryAfter?: number;
  /**
   * Requests that are always admitted, at once and uncounted: health and
   * readiness checks, metrics. One {@link AllowRule} or an array of them.
   * Defaults to none.
   */
  allow?: AllowRule<Req> | readonly AllowRule<Req>[];
  /** The problem's public `detail`. Defaults to `"The server is too busy right now; try again shortly."`. */
  detail?: string;
}

/** The checked options of `admission()`, with the errors its refusals are answered with. */
export interface AdmissionSettings<Req extends IncomingMessage = IncomingMessage> {
  /** `undefined`: the limit adapts. */
  readonly maxInFlight: number | undefined;
  readonly maxQueue: number;
  readonly queueTimeout: number;
  readonly allow: AllowRule<Req> | readonly AllowRule<Req>[] | undefined;
  /**
   * One refusal per `Retry-After` a refused client can be sent, made once:
   * refusing must cost a fraction of serving, so no stack trace per refusal.
   */
  readonly refusals: readonly ServiceUnavailable[];
}

/** The most `Retry-After` values one gate spreads its refusals over. */
const MAX_SPREAD = 15;

const count = (most: number) => z.optional(z.int().check(z.gte(1), z.lte(most)));

const schema = () =>
  z.strictObject({
    maxInFlight: count(1_000_000),
    maxQueue: count(1_000_000),
    queueTimeout: z.optional(z.int().check(z.gte(1), z.lte(MAX_TIMER))),
    retryAfter: retryAfterSeconds(),
    allow: allowOption(),
    detail: detailOption(),
  });

const spec: OptionsSpec<ShapeOf<typeof schema>> = {
  name: 'admission',
  schema,
  expected: {
    maxInFlight: 'an integer from 1 to 1000000',
    maxQueue: 'an integer from 1 to 1000000',
    queueTimeout: `an integer number of milliseconds from 1 to ${MAX_TIMER}`,
    retryAfter: RETRY_AFTER_EXPECTED,
    allow: ALLOW_EXPECTED,
    detail: DETAIL_EXPECTED,
  },
  numeric: new Set(['maxInFlight', 'maxQueue', 'queueTimeout', 'retryAfter']),
  hint: allowHint,
};

/**
 * Checks the options of `admission()` once, when it is called: a wrong one
 * throws there, naming it.
 *
 * @example
 * const { maxQueue, refusals } = parseAdmissionOptions({ maxQueue: 200 });
 */
export function parseAdmissionOptions<Req extends IncomingMessage>(options: unknown): AdmissionSettings<Req> {
  const {
    maxInFlight,
    maxQueue = 1000,
    queueTimeout = 500,
    retryAfter = 2,
    allow,
    detail = 'The server is too busy right now; try again shortly.',
  } = validateOptions(spec, options) as Omit<AdmissionOptions<Req>, 'allow'> & {
    allow?: AdmissionOptions<Req>['allow'];
  };
  const first = Math.ceil(retryAfter);
  const refusals: ServiceUnavailable[] = [];
  for (let seconds = first; seconds <= first + Math.min(first, MAX_SPREAD); seconds++) {
    // The message names admission() in a log line, should a user's own handler log refusals.
    refusals.push(
      refusal(new ServiceUnavailable({ retryAfter: seconds, detail, message: 'admission(): overloaded' })),
    );
  }
  return { maxInFlight, maxQueue, queueTimeout, allow, refusals: Object.freeze(refusals) };
}
