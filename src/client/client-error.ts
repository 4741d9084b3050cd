import { checkedHeaders, type ErrorHeaders, NO_HEADERS } from '../http/headers';
import { formatRetryAfter, type RetryAfter } from '../http/retry-after';
import { showValue } from '../misuse/show-value';
import { usageError } from '../misuse/usage-error';
import type { RetryableErrorOptions } from '../errors/server-error';

/**
 * A 4xx problem another service answered, as {@link parseProblem} reads it
 * back: the members of a {@link ServerError} (`status` === `statusCode`,
 * `headers`, `detail`, `type`, `instance`, `extensions`, `retryAfter`) for the
 * statuses it cannot hold. `expose` is `false`: the upstream wrote its `detail`
 * for you, the caller, not for your own clients, so a handler that receives
 * this error rethrown does not send it on.
 *
 * @example
 * if (err instanceof ClientError && err.status === 429) await sleep(retryDelay(response) ?? 1000);
 */
export class ClientError extends Error {
  /** The HTTP status, 400–499. */
  readonly status: number;
  /** The same as {@link ClientError.status}, for the http-errors convention. */
  readonly statusCode: number;
  /** Always `false`: the message was not written for your clients. */
  readonly expose = false as const;
  /** `Retry-After`, when the response said when to come back (429 does). */
  readonly headers: ErrorHeaders;
  /** The problem's `detail`. */
  readonly detail: string | undefined;
  /** The problem's `type`. */
  readonly type: string | undefined;
  /** The problem's `instance`. */
  readonly instance: string | undefined;
  /** The problem's other members, `traceId` among them. */
  readonly extensions: Readonly<Record<string, unknown>> | undefined;
  /** When to try again, from the response's `Retry-After`. */
  readonly retryAfter: RetryAfter | undefined;

  /**
   * @param status - 400 to 499.
   * @param options - what the problem said; `message` defaults to `detail`, else "Client Error".
   */
  constructor(status: number, options: RetryableErrorOptions = {}) {
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 499) {
      throw usageError(
        typeof status === 'number' ? RangeError : TypeError,
        'ERR_SERVER_ERRORS_INVALID_STATUS',
        `ClientError: status must be an integer from 400 to 499; received ${showValue(status)}.`,
      );
    }
    super(
      options.message ?? options.detail ?? 'Client Error',
      'cause' in options ? { cause: options.cause } : undefined,
    );
    this.name = 'ClientError';
    this.status = status;
    this.statusCode = status;
    this.detail = options.detail;
    this.type = options.type;
    this.instance = options.instance;
    this.extensions = options.extensions;
    this.retryAfter = options.retryAfter;
    this.headers =
      options.retryAfter === undefined
        ? NO_HEADERS
        : checkedHeaders(Object.freeze({ 'Retry-After': formatRetryAfter(options.retryAfter) }));
  }
}
