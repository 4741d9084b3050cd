import type { IncomingMessage } from 'node:http';

import * as z from 'zod/mini';

import { ServiceUnavailable } from '../errors/classes';
import type { Guard } from './guard';
import { checkingGuard, passThrough } from './guard-check';
import { refusal } from '../errors/refusal';
import type { AllowRule } from './allow-rule';
import { ALLOW_EXPECTED, allowHint, allowOption, compileAllow } from './allow-rules';
import { HTTP_DATE_YEARS, isHttpDate, LATEST_HTTP_DATE } from '../http/retry-after';
import type { RetryableErrorOptions } from '../errors/server-error';
import {
  anyFunction,
  DETAIL_EXPECTED,
  detailOption,
  type OptionsSpec,
  type ShapeOf,
  RETRY_AFTER_EXPECTED,
  retryAfterSeconds,
  validateOptions,
} from '../misuse/validate-options';

/** The options of {@link maintenance}. */
export interface MaintenanceOptions<Req extends IncomingMessage = IncomingMessage> {
  /**
   * Whether maintenance is on: a boolean, or a synchronous function called on
   * every request, so a flag can flip while the server runs (only `true` turns
   * it on). Defaults to `true`.
   */
  enabled?: boolean | ((req: Req) => boolean);
  /**
   * When maintenance ends, sent as `Retry-After` (an HTTP-date): a Date, or a
   * function of the request returning one. Once that moment has passed the
   * header falls back to `retryAfter`; maintenance itself stays on until
   * `enabled` says otherwise. Defaults to none.
   */
  until?: Date | ((req: Req) => Date | undefined);
  /** Seconds until the client may try again, sent as `Retry-After` when `until` gives no future date. Defaults to none. */
  retryAfter?: number;
  /**
   * Requests that pass during maintenance: health checks, the admin route that
   * turns it off. One {@link AllowRule} or an array of them; paths are compared
   * without the query. Defaults to none.
   */
  allow?: AllowRule<Req> | readonly AllowRule<Req>[];
  /** The problem's public `detail`. Defaults to `"The service is down for maintenance."`. */
  detail?: string;
}

const schema = () =>
  z.strictObject({
    enabled: z.optional(z.union([z.boolean(), anyFunction()])),
    until: z.optional(z.union([z.date().check(z.refine(isHttpDate)), anyFunction()])),
    retryAfter: retryAfterSeconds(),
    allow: allowOption(),
    detail: detailOption(),
  });

const spec: OptionsSpec<ShapeOf<typeof schema>> = {
  name: 'maintenance',
  schema,
  expected: {
    enabled: 'a boolean or a function (req) => boolean',
    until: `a valid Date ${HTTP_DATE_YEARS}, or a function (req) => Date | undefined`,
    retryAfter: RETRY_AFTER_EXPECTED,
    allow: ALLOW_EXPECTED,
    detail: DETAIL_EXPECTED,
  },
  numeric: new Set(['retryAfter']),
  hint: allowHint,
};

/**
 * A date's time rounded up to the whole second an HTTP-date carries (retrying
 * late is safe, early is not), or NaN for an invalid or unwritable date.
 */
function wholeSecond(date: Date): number {
  const time = date.getTime();
  return time <= LATEST_HTTP_DATE ? Math.ceil(time / 1000) * 1000 : NaN;
}

/**
 * Puts the service in maintenance: every request but the allowed ones gets a
 * 503 with `Retry-After` and `Cache-Control: no-store`, answered by
 * `serverErrors()` (add it after your routes). Options are checked here, once.
 *
 * @example
 * app.use(maintenance({ enabled: () => flags.maintenance, until: new Date('2030-01-01T06:00Z'), allow: ['/health', '/admin/'] }));
 * // …routes…
 * app.use(serverErrors());
 */
export function maintenance<Req extends IncomingMessage = IncomingMessage>(
  options?: MaintenanceOptions<Req>,
): Guard<Req> {
  const {
    enabled = true,
    until,
    retryAfter,
    allow,
    detail = 'The service is down for maintenance.',
  } = validateOptions(spec, options) as MaintenanceOptions<Req>;
  if (enabled === false) return passThrough;
  const isOn = typeof enabled === 'function' ? enabled : undefined;
  const allowed = compileAllow<Req>(allow);
  // The message names the guard in the log line of every refused request.
  const message = 'maintenance(): down for maintenance';
  const fallback: RetryableErrorOptions = Object.freeze(
    retryAfter === undefined ? { detail, message } : { detail, message, retryAfter },
  );
  const fixedTime = until instanceof Date ? wholeSecond(until) : NaN;
  const fixed: RetryableErrorOptions = Number.isNaN(fixedTime)
    ? fallback
    : Object.freeze({ detail, message, retryAfter: new Date(fixedTime) });
  const untilOf = typeof until === 'function' ? until : undefined;

  function errorOptions(req: Req): RetryableErrorOptions {
    if (untilOf === undefined) return fixedTime > Date.now() ? fixed : fallback;
    const date = untilOf(req);
    // Anything but a future HTTP-date (undefined, a past or invalid date, or one
    // past the last HTTP-date, which wholeSecond makes NaN) leaves Retry-After to `retryAfter`.
    const time = date instanceof Date ? wholeSecond(date) : NaN;
    return time > Date.now() ? { detail, message, retryAfter: new Date(time) } : fallback;
  }

  return checkingGuard<Req>(function maintenanceCheck(req) {
    if (isOn !== undefined && isOn(req) !== true) return undefined;
    if (allowed?.(req) === true) return undefined;
    return refusal(new ServiceUnavailable(errorOptions(req)));
  });
}
