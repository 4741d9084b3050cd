import { type CatalogEntry, lookupStatus } from '../catalog/catalog';
import {
  checkedHeaders,
  checkHeader,
  type ErrorHeaders,
  HEADER_LIMITS,
  type HeaderProblem,
  type HeaderValue,
  headersSize,
  NO_HEADERS,
} from '../http/headers';
import { extensionKeyProblem } from '../http/problem-members';
import { formatRetryAfter, type RetryAfter } from '../http/retry-after';
import { showValue } from '../misuse/show-value';
import { didYouMean } from '../misuse/did-you-mean';
import { usageError } from '../misuse/usage-error';

/** What every error class accepts. */
export interface ServerErrorOptions {
  /** Public: sent to the client as the problem's `detail`. Defaults to none. */
  detail?: string;
  /** Internal: for logs only, never sent. Defaults to `detail`, else the title. */
  message?: string;
  /** The error that led to this one (ES2022 `cause`); logged, never sent. */
  cause?: unknown;
  /** The problem `type` URI. Defaults to the link the middleware's `types` option picks. */
  type?: string;
  /** The problem `instance` URI. Defaults to the request path, without its query. */
  instance?: string;
  /** Extra members of the problem body. They cannot replace `type`, `title`, `status`, `detail` or `instance`. */
  extensions?: Record<string, unknown>;
  /** Extra response headers. They cannot replace `Content-Type` and the other body headers. */
  headers?: Record<string, string | number | readonly string[]>;
}

/** Options of the classes whose status may carry `Retry-After` (501, 503). */
export interface RetryableErrorOptions extends ServerErrorOptions {
  /** When the client may try again, sent as `Retry-After`. Defaults to none. */
  retryAfter?: RetryAfter;
}

/** The mark every copy of this package puts on its errors' prototype, so copies recognise each other's. */
export const SERVER_ERROR_BRAND = Symbol.for('server-errors.ServerError');
/**
 * The mark `parseProblem` puts on the errors it reads back: another service's
 * answer, not this server's. Thrown on from a handler, such an error is a
 * gateway failure (its status, detail and headers were the upstream's to send),
 * as an undici `ResponseError` is.
 */
export const UPSTREAM_ANSWER_BRAND = Symbol.for('server-errors.upstream-answer');
const BASE_OPTIONS = ['detail', 'message', 'cause', 'type', 'instance', 'extensions', 'headers'];
const RETRY_OPTIONS = [...BASE_OPTIONS, 'retryAfter'];

/**
 * The base of every error class: an `Error` that carries an HTTP 5xx status and
 * what the response needs. It follows the http-errors convention (`status` ===
 * `statusCode`, `expose`, `headers`), so `createError.isHttpError(err)` is true
 * and other error handlers understand it too. Throw a subclass when you can;
 * use `ServerError` itself for a status outside the catalog.
 *
 * @example
 * throw new ServerError(509, { detail: 'Monthly traffic quota used up.' })
 */
export class ServerError extends Error {
  /** The HTTP status, 500–599. */
  readonly status: number;
  /** The same as {@link ServerError.status}, for the http-errors convention. */
  readonly statusCode: number;
  /** Always `false`: the message of a 5xx error is never shown to the client. */
  readonly expose = false as const;
  /** Response headers this error asks for, such as `Retry-After`. */
  readonly headers: ErrorHeaders;
  /** The public explanation, sent as the problem's `detail`. */
  readonly detail: string | undefined;
  /** The problem `type` URI, when this error sets its own. */
  readonly type: string | undefined;
  /** The problem `instance` URI, when this error sets its own. */
  readonly instance: string | undefined;
  /** Extra members of the problem body. */
  readonly extensions: Readonly<Record<string, unknown>> | undefined;
  /** When the client may try again, as given; sent as `Retry-After`. */
  readonly retryAfter: RetryAfter | undefined;

  /**
   * @param status - 500 to 599.
   * @param options - the options, or the internal message as a string.
   */
  constructor(status: number, options?: RetryableErrorOptions | string) {
    const entry = checkStatus(status, new.target.name);
    const opts = checkOptions(options, entry, new.target.name);
    super(
      opts.message ?? opts.detail ?? entry?.title ?? 'Server Error',
      'cause' in opts ? { cause: opts.cause } : undefined,
    );
    this.name = new.target.name;
    this.status = status;
    this.statusCode = status;
    this.detail = opts.detail;
    this.type = opts.type;
    this.instance = opts.instance;
    this.extensions = opts.extensions;
    this.retryAfter = opts.retryAfter;
    this.headers = buildHeaders(opts, new.target.name);
  }
}

Object.defineProperty(ServerError.prototype, SERVER_ERROR_BRAND, { value: true });

/**
 * Whether a value is a {@link ServerError}: by `instanceof`, or by the brand every
 * copy of this package puts on its errors, so two installed copies understand
 * each other's errors.
 */
export function isServerError(value: unknown): value is ServerError {
  if (typeof value !== 'object' || value === null) return false;
  // A Proxy can throw from its getPrototypeOf and get traps alike.
  try {
    return value instanceof ServerError || (value as Record<symbol, unknown>)[SERVER_ERROR_BRAND] === true;
  } catch {
    return false;
  }
}

function checkStatus(status: unknown, className: string): CatalogEntry | undefined {
  if (typeof status !== 'number') {
    throw usageError(
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_STATUS',
      `${className}: status must be an integer from 500 to 599; received ${showValue(status)}.`,
    );
  }
  if (!Number.isInteger(status) || status < 500 || status > 599) {
    throw usageError(
      RangeError,
      'ERR_SERVER_ERRORS_INVALID_STATUS',
      `${className}: status must be an integer from 500 to 599; received ${showValue(status)}.`,
    );
  }
  return lookupStatus(status);
}

function invalid(className: string, message: string): never {
  throw usageError(TypeError, 'ERR_SERVER_ERRORS_INVALID_ERROR_OPTION', `${className}: ${message}`);
}

function checkOptions(
  options: unknown,
  entry: CatalogEntry | undefined,
  className: string,
): RetryableErrorOptions {
  if (options === undefined) return {};
  if (typeof options === 'string') return { message: options };
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    invalid(className, `options must be an object or a message string; received ${showValue(options)}.`);
  }
  const opts = options as Record<string, unknown>;
  const known = entry?.retryAfter ? RETRY_OPTIONS : BASE_OPTIONS;
  for (const key in opts) {
    if (!known.includes(key)) {
      const hint = didYouMean(key, known);
      const retryHint =
        key === 'retryAfter'
          ? ' Retry-After belongs to 501 and 503 (NotImplemented, ServiceUnavailable).'
          : '';
      invalid(
        className,
        `unknown option "${key}".${hint ? ` Did you mean "${hint}"?` : ''}${retryHint} Known options: ${known.join(', ')}.`,
      );
    }
  }
  for (const key of ['detail', 'message', 'type', 'instance'] as const) {
    const value = opts[key];
    if (value !== undefined && typeof value !== 'string') {
      invalid(className, `options.${key} must be a string; received ${showValue(value)}.`);
    }
  }
  if (opts.type === '') invalid(className, 'options.type must be a URI reference, not an empty string.');
  const { extensions } = opts;
  if (extensions !== undefined) {
    if (typeof extensions !== 'object' || extensions === null || Array.isArray(extensions)) {
      invalid(className, `options.extensions must be a plain object; received ${showValue(extensions)}.`);
    }
    for (const key of Object.keys(extensions)) {
      const problem = extensionKeyProblem(key);
      if (problem !== undefined) invalid(className, `options.extensions cannot hold "${key}": ${problem}.`);
    }
  }
  return opts as RetryableErrorOptions;
}

function headerProblem(name: string, value: unknown, problem: HeaderProblem): string {
  switch (problem) {
    case 'name':
      return `options.headers has an invalid header name ${showValue(name)}.`;
    case 'own':
      return `options.headers cannot set "${name}": serverErrors() writes it for the problem body.`;
    case 'connection':
      return `options.headers cannot set "${name}": it belongs to the connection, not to the response (RFC 9110 §7.6.1).`;
    case 'retry-after':
      return `options.headers["${name}"] must be delay-seconds or an IMF-fixdate (RFC 9110 §10.2.3); received ${showValue(value)}. Prefer the retryAfter option.`;
    case 'length':
      return `options.headers["${name}"] is longer than ${HEADER_LIMITS.value} characters; received ${showValue(value)}.`;
    default:
      return `options.headers["${name}"] must be a string, a number or an array of strings without CR, LF or NUL; received ${showValue(value)}.`;
  }
}

function buildHeaders(opts: RetryableErrorOptions, className: string): ErrorHeaders {
  const { headers, retryAfter } = opts;
  if (headers === undefined && retryAfter === undefined) return NO_HEADERS;
  const result: Record<string, HeaderValue> = {};
  if (headers !== undefined) {
    if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
      invalid(
        className,
        `options.headers must be an object of header names to values; received ${showValue(headers)}.`,
      );
    }
    for (const [name, value] of Object.entries(headers)) {
      const checked = checkHeader(name, value);
      if (!('value' in checked)) {
        const message = `${className}: ${headerProblem(name, value, checked.problem)}`;
        throw usageError(
          checked.problem === 'length' ? RangeError : TypeError,
          'ERR_SERVER_ERRORS_INVALID_ERROR_OPTION',
          message,
        );
      }
      result[name] = checked.value;
    }
  }
  if (retryAfter !== undefined) result['Retry-After'] = formatRetryAfter(retryAfter);
  const names = Object.keys(result);
  if (names.length > HEADER_LIMITS.count || headersSize(result) > HEADER_LIMITS.total) {
    throw usageError(
      RangeError,
      'ERR_SERVER_ERRORS_INVALID_ERROR_OPTION',
      `${className}: options.headers may hold at most ${HEADER_LIMITS.count} headers of ${HEADER_LIMITS.total} characters in all (names and values); received ${names.length} of ${headersSize(result)}.`,
    );
  }
  return checkedHeaders(Object.freeze(result));
}
