import { strictObject, type ZodMiniType } from 'zod/mini';

import { parseRetryAfter, type RetryAfter } from '../http/retry-after';
import { type OptionsSpec, validateOptions } from '../misuse/validate-options';
import { MAX_TIMER } from '../util/timers';
import { checkResponse } from './check-response';
import { retryDelayShape, RETRY_DELAY_WORDS } from './delay-options';

/**
 * A response's `Retry-After` (RFC 9110 §10.2.3), read by the one rule of
 * {@link parseRetryAfter}; `undefined` when there is none or it is not valid.
 */
export function readRetryAfter(headers: Pick<Headers, 'get'>): RetryAfter | undefined {
  let value: string | null;
  try {
    value = headers.get('retry-after');
  } catch {
    return undefined;
  }
  return value === null ? undefined : parseRetryAfter(value.trim());
}

/** The options of {@link retryDelay}. */
export interface RetryDelayOptions {
  /**
   * The longest wait taken from the server, in milliseconds, from 0 to
   * 2 147 483 647: a Retry-After of an hour must not hold a request for an
   * hour. Defaults to 60 000 (one minute).
   */
  max?: number;
  /**
   * The share of the delay added at random, from 0 to 1, so that clients told
   * the same Retry-After do not all come back in the same instant. `0` turns it
   * off. Defaults to 0.2 (up to a fifth more).
   */
  jitter?: number;
}

const retryDelaySpec: OptionsSpec<ReturnType<typeof retryDelayShape>> = {
  name: 'retryDelay',
  // Every option of the interface has its check.
  schema: () => strictObject(retryDelayShape() satisfies Record<keyof RetryDelayOptions, ZodMiniType>),
  ...RETRY_DELAY_WORDS,
};

/** What {@link retryDelay} waits at most, by default, in milliseconds. */
export const DEFAULT_MAX_DELAY = 60_000;
/** What share of the delay {@link retryDelay} adds at random, by default. */
export const DEFAULT_JITTER = 0.2;

/**
 * How many milliseconds to wait before retrying, from the response's
 * `Retry-After`: seconds, or until the HTTP-date (a date in the past is 0).
 * The wait is capped at `max`, then up to `jitter` of it is added at random,
 * so it is never shorter than the server asked (unless capped) and never
 * longer than `max × (1 + jitter)` or what `setTimeout` can wait.
 * `undefined` when there is no valid `Retry-After`: the retry policy is then
 * yours. Options are checked on every call: a `TypeError` or `RangeError` names
 * a wrong one.
 *
 * @example
 * const delay = retryDelay(response); // Retry-After: 10 → 10 000 to 12 000
 */
export function retryDelay(response: Response, options?: RetryDelayOptions): number | undefined {
  checkResponse('retryDelay', response);
  const { max = DEFAULT_MAX_DELAY, jitter = DEFAULT_JITTER } = validateOptions(retryDelaySpec, options);
  return delayOf(readRetryAfter(response.headers), max, jitter);
}

/** {@link retryDelay} on a Retry-After already read, with options already checked. */
export function delayOf(retryAfter: RetryAfter | undefined, max: number, jitter: number): number | undefined {
  if (retryAfter === undefined) return undefined;
  const wait =
    typeof retryAfter === 'number' ? retryAfter * 1000 : Math.max(0, retryAfter.getTime() - Date.now());
  const capped = Math.min(wait, max);
  return Math.min(Math.ceil(capped * (1 + jitter * Math.random())), MAX_TIMER);
}
