import { parseRetryAfter } from '../http/retry-after';

/** When to retry, read from a `Retry-After` value, for the formats people read. */
export type RetryWhen =
  | {
      /** A delay-seconds value. */
      readonly seconds: number;
      /** The delay in words, rounded up: `"2 minutes"`, `"1 hour and 30 minutes"`. */
      readonly words: string;
    }
  | {
      /** The IMF-fixdate as sent. */
      readonly httpDate: string;
      /** The moment, for a machine-readable form such as `<time datetime>`. */
      readonly date: Date;
      /** The moment in words, rounded up to the minute: `"Tuesday, 1 January 2030, 00:00 UTC"`. */
      readonly words: string;
    };

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
  ['second', 1],
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/**
 * Reads a `Retry-After` header value as sent (RFC 9110 §10.2.3), or `undefined`
 * when there is none or it is not well-formed.
 *
 * @example
 * retryAfterWords('120') // { seconds: 120, words: '2 minutes' }
 */
export function retryAfterWords(value: string | undefined): RetryWhen | undefined {
  if (typeof value !== 'string') return undefined;
  const parsed = parseRetryAfter(value);
  if (typeof parsed === 'number') {
    return Number.isSafeInteger(parsed) ? { seconds: parsed, words: delayWords(parsed) } : undefined;
  }
  return parsed && { httpDate: value, date: parsed, words: dateWords(parsed) };
}

/** `"1 second"`, `"2 seconds"`. */
export function quantity(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

// Two units at most, the smaller rounded up: a person waiting a little longer
// is safe, retrying early is not.
function delayWords(seconds: number): string {
  const index = UNITS.findIndex(([, size]) => seconds >= size);
  if (index === -1) return quantity(seconds, 'second');
  const [bigUnit, bigSize] = UNITS[index] ?? ['second', 1];
  const [smallUnit, smallSize] = UNITS[index + 1] ?? [bigUnit, bigSize];
  const total = Math.ceil(seconds / smallSize);
  const ratio = bigSize / smallSize;
  const big = Math.floor(total / ratio);
  const small = total % ratio;
  return small === 0 ? quantity(big, bigUnit) : `${quantity(big, bigUnit)} and ${quantity(small, smallUnit)}`;
}

function dateWords(date: Date): string {
  const minute = new Date(Math.ceil(date.getTime() / 60_000) * 60_000);
  const time = [minute.getUTCHours(), minute.getUTCMinutes()].map((n) => String(n).padStart(2, '0'));
  return `${DAYS[minute.getUTCDay()]}, ${minute.getUTCDate()} ${MONTHS[minute.getUTCMonth()]} ${minute.getUTCFullYear()}, ${time.join(':')} UTC`;
}
