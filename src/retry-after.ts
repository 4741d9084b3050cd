import { showValue } from './show-value';
import { usageError } from './usage-error';

/**
 * When a client may try again: a number of seconds from now, or a point in time.
 * Sent as `Retry-After` (RFC 9110 §10.2.3): seconds as `delay-seconds`, a Date as
 * an IMF-fixdate.
 */
export type RetryAfter = number | Date;

const IMF_FIXDATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/**
 * Formats a Retry-After value, or throws a `TypeError` (not a number or Date) or
 * a `RangeError` (negative, NaN, infinite or too large a number; an invalid Date,
 * or one whose year has not four digits) that names the value. A fraction of a
 * second is rounded up: waiting a little longer is safe, retrying early is not.
 *
 * @example
 * formatRetryAfter(119.2) // "120"
 * formatRetryAfter(new Date(Date.UTC(2030, 0, 1))) // "Tue, 01 Jan 2030 00:00:00 GMT"
 */
export function formatRetryAfter(value: unknown, name = 'retryAfter'): string {
  if (typeof value === 'number') {
    const seconds = Math.ceil(value);
    // RFC 9110 §10.2.3: delay-seconds = 1*DIGIT, so no sign, no exponent, no fraction.
    if (!(value >= 0 && seconds <= Number.MAX_SAFE_INTEGER)) {
      throw usageError(
        RangeError,
        'ERR_SERVER_ERRORS_INVALID_RETRY_AFTER',
        `${name} must be a non-negative, finite number of seconds; received ${showValue(value)}.`,
      );
    }
    return String(seconds);
  }
  if (value instanceof Date) {
    const year = value.getUTCFullYear();
    // RFC 9110 §5.6.7: senders MUST use IMF-fixdate, whose year is exactly four digits.
    if (!(year >= 0 && year <= 9999)) {
      throw usageError(
        RangeError,
        'ERR_SERVER_ERRORS_INVALID_RETRY_AFTER',
        `${name} must be a valid Date between the years 0000 and 9999; received ${showValue(value)}.`,
      );
    }
    return value.toUTCString();
  }
  throw usageError(
    TypeError,
    'ERR_SERVER_ERRORS_INVALID_RETRY_AFTER',
    `${name} must be a number of seconds or a Date; received ${showValue(value)}.`,
  );
}

/** Whether a header value already follows RFC 9110's Retry-After grammar as a sender must write it. */
export function isRetryAfterValue(value: string): boolean {
  return /^\d+$/.test(value) || IMF_FIXDATE.test(value);
}
