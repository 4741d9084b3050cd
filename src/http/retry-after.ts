import { showValue } from '../misuse/show-value';
import { usageError } from '../misuse/usage-error';

/**
 * When a client may try again: a number of seconds from now, or a point in time.
 * Sent as `Retry-After` (RFC 9110 §10.2.3): seconds as `delay-seconds`, a Date as
 * an IMF-fixdate.
 */
export type RetryAfter = number | Date;

const IMF_FIXDATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

const FIRST_YEAR = 1900;
const LAST_YEAR = 9999;

/**
 * Whether a Date can be sent as an HTTP-date. RFC 9110 §5.6.7: senders MUST use
 * IMF-fixdate, whose year has exactly four digits; it is a subset of RFC 5322's
 * date, whose years start at 1900. Parsers agree: V8's Date.parse reads
 * "31 Dec 0099" as 1999.
 */
export function isHttpDate(date: Date): boolean {
  const year = date.getUTCFullYear();
  return year >= FIRST_YEAR && year <= LAST_YEAR;
}

/** How error messages state the range of {@link isHttpDate}. */
export const HTTP_DATE_YEARS = `between the years ${FIRST_YEAR} and ${LAST_YEAR}`;

/** The last second an HTTP-date can carry, as a time value. */
export const LATEST_HTTP_DATE = Date.UTC(LAST_YEAR, 11, 31, 23, 59, 59);

/**
 * Formats a Retry-After value, or throws a `TypeError` (not a number or Date) or
 * a `RangeError` (negative, NaN, infinite or too large a number; an invalid Date,
 * or one before 1900 or after 9999) that names the value. A fraction of a
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
    if (!isHttpDate(value)) {
      throw usageError(
        RangeError,
        'ERR_SERVER_ERRORS_INVALID_RETRY_AFTER',
        `${name} must be a valid Date ${HTTP_DATE_YEARS}; received ${showValue(value)}.`,
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

/**
 * Reads a `Retry-After` value as a sender must write it, without surrounding
 * space: seconds as a number, an HTTP-date as a Date; `undefined` when it is
 * neither. Only the IMF-fixdate form of a date is read,
 * the one senders must use: `Date.parse` reads the obsolete asctime form in
 * local time, which would be off by the reader's time zone.
 *
 * @example
 * parseRetryAfter('120') // 120
 * parseRetryAfter('Tue, 01 Jan 2030 00:00:00 GMT') // a Date
 */
export function parseRetryAfter(text: string): RetryAfter | undefined {
  if (!isRetryAfterValue(text)) return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  const date = new Date(Date.parse(text));
  // V8 reads the year 0099 as 1999, and rolls 31 Feb over into March: the
  // date must say what the text says (the weekday aside, which adds nothing).
  return isHttpDate(date) && date.toUTCString().slice(5) === text.slice(5) ? date : undefined;
}
