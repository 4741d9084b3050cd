import * as z from 'zod/mini';

import { ServiceUnavailable } from '../errors/classes';
import { refusal } from '../errors/refusal';
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

/** The options of `drain()`, the same in every runtime. */
export interface DrainOptions {
  /**
   * Seconds until a refused client may try again, sent as `Retry-After` on the
   * 503 a request gets once the server has stopped accepting. Only this
   * instance is going away: a retry on a new connection reaches another one,
   * so the wait is short, but not `0`, which some clients retry in a tight
   * loop. Defaults to `1`.
   */
  retryAfter?: number;
  /**
   * Milliseconds the requests in flight get to finish once the server has
   * stopped accepting (after `delay`); then whatever remains is destroyed.
   * Keep `delay + grace` under Kubernetes' `terminationGracePeriodSeconds`.
   * Defaults to `10000`.
   */
  grace?: number;
  /**
   * Milliseconds to keep serving after `close()` is called, with
   * `status().draining` already `true` so the readiness probe fails and the
   * load balancer stops sending traffic before the server stops accepting.
   * Defaults to `0`.
   */
  delay?: number;
  /** The problem's public `detail`. Defaults to `"The server is shutting down; retry the request."`. */
  detail?: string;
}

/** The options of `drain()`, checked, with the refusal every late request gets. */
export interface DrainSettings {
  readonly grace: number;
  readonly delay: number;
  /** One error for every refused request: a refusal is answered, never logged, and costs no stack trace. */
  readonly refusal: ServiceUnavailable;
}

const milliseconds = () => z.optional(z.int().check(z.gte(0), z.lte(MAX_TIMER)));
const MILLISECONDS_EXPECTED = `an integer number of milliseconds from 0 to ${MAX_TIMER}`;

const schema = () =>
  z.strictObject({
    retryAfter: retryAfterSeconds(),
    grace: milliseconds(),
    delay: milliseconds(),
    detail: detailOption(),
  });

const spec: OptionsSpec<ShapeOf<typeof schema>> = {
  name: 'drain',
  schema,
  expected: {
    retryAfter: RETRY_AFTER_EXPECTED,
    grace: MILLISECONDS_EXPECTED,
    delay: MILLISECONDS_EXPECTED,
    detail: DETAIL_EXPECTED,
  },
  numeric: new Set(['retryAfter', 'grace', 'delay']),
};

/**
 * Checks the options of `drain()` once, when it is called: a wrong one throws
 * there, naming it, and `app.use(drain)` without the call is explained.
 *
 * @example
 * const { grace, delay, refusal } = parseDrainOptions({ grace: 5000 });
 */
export function parseDrainOptions(options: unknown): DrainSettings {
  const {
    retryAfter = 1,
    grace = 10_000,
    delay = 0,
    detail = 'The server is shutting down; retry the request.',
  } = validateOptions(spec, options);
  // The message names drain() in a log line, should a user's own handler log refusals.
  const error = new ServiceUnavailable({ retryAfter, detail, message: 'drain(): shutting down' });
  return { grace, delay, refusal: refusal(error) };
}
