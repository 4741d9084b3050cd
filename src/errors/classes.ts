import { isRetryAfterValue, type RetryAfter } from '../http/retry-after';
import { type RetryableErrorOptions, ServerError, type ServerErrorOptions } from './server-error';
import { showValue } from '../misuse/show-value';
import { isLoginUrl } from '../http/urls';
import { usageError } from '../misuse/usage-error';

/** Options of {@link NetworkAuthenticationRequired}. */
export interface NetworkAuthenticationRequiredOptions extends ServerErrorOptions {
  /**
   * Where the client logs in to the network (RFC 6585 §6): an absolute http(s)
   * URL or a path. Sent as the problem's `loginUrl` member. Defaults to none.
   */
  loginUrl?: string;
}

/**
 * The arguments of the classes that take a Retry-After: `(retryAfter)`,
 * `(retryAfter, options)`, `(options)` or `(message)`.
 */
function retryArguments(
  first: RetryAfter | RetryableErrorOptions | string | undefined,
  second: ServerErrorOptions | undefined,
  className: string,
): RetryableErrorOptions | string | undefined {
  if (typeof first === 'number' || first instanceof Date) {
    if (second === undefined) return { retryAfter: first };
    if (typeof second !== 'object' || second === null || Array.isArray(second)) {
      throw usageError(
        TypeError,
        'ERR_SERVER_ERRORS_INVALID_ERROR_OPTION',
        `${className}: the second argument must be an options object; received ${showValue(second)}.`,
      );
    }
    if ('retryAfter' in second) {
      throw usageError(
        TypeError,
        'ERR_SERVER_ERRORS_INVALID_ERROR_OPTION',
        `${className}: retryAfter was given twice, as the first argument and in the options; keep one.`,
      );
    }
    return { ...second, retryAfter: first };
  }
  if (typeof first === 'string') refuseRetryAfterText(first, className);
  if (second !== undefined) {
    throw usageError(
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_ERROR_OPTION',
      `${className}: options go second only after a retryAfter number or Date; received ${showValue(first)} first.`,
    );
  }
  return first;
}

/**
 * A string first argument is the internal message, as in http-errors. One that
 * reads as a Retry-After (`new ServiceUnavailable('120')`, often a value read
 * from the environment) is refused rather than guessed at: sending it would
 * make the meaning of a string depend on what it holds, and keeping it as the
 * message would silently send no Retry-After.
 */
function refuseRetryAfterText(text: string, className: string): void {
  const trimmed = text.trim();
  let value: string | undefined;
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) value = String(Number(trimmed));
  else if (isRetryAfterValue(trimmed)) value = `new Date(${JSON.stringify(trimmed)})`;
  if (value === undefined) return;
  throw usageError(
    TypeError,
    'ERR_SERVER_ERRORS_INVALID_RETRY_AFTER',
    `${className}: ${showValue(text)} looks like a Retry-After, but a string first argument is the internal message. Did you mean new ${className}(${value}), or { retryAfter: ${value} }?`,
  );
}

function checkLoginUrl(loginUrl: unknown): string | undefined {
  if (loginUrl === undefined) return undefined;
  // A login link ends up in HTML pages and Location-like uses: only http(s) or a
  // same-site path, never `javascript:` or `data:`.
  if (!isLoginUrl(loginUrl)) {
    throw usageError(
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_ERROR_OPTION',
      `NetworkAuthenticationRequired: loginUrl must be an absolute http(s) URL or a path starting with "/", without spaces, quotes, angle brackets or backslashes; received ${showValue(loginUrl)}.`,
    );
  }
  return loginUrl;
}

/**
 * 500: an unexpected failure that no more specific code describes. This is also
 * what anything unrecognised that reaches the middleware becomes.
 * The response carries the title and your `detail` only, never the message or stack.
 *
 * @example
 * throw new InternalServerError({ message: 'invariant broken: cart without owner', cause: err })
 */
export class InternalServerError extends ServerError {
  constructor(options?: ServerErrorOptions | string) {
    super(500, options);
  }
}

/**
 * 501: the server does not support what the request needs, such as a method it
 * does not recognise (GET and HEAD must never get it). A `retryAfter` is sent as
 * `Retry-After` with `Cache-Control: no-store`, since a 501 is otherwise
 * heuristically cacheable (RFC 9110 §15.6.2).
 *
 * @example
 * throw new NotImplemented(new Date('2030-01-01'), { detail: 'PATCH arrives in v2.' })
 */
export class NotImplemented extends ServerError {
  constructor(retryAfter?: RetryAfter | RetryableErrorOptions | string, options?: ServerErrorOptions) {
    super(501, retryArguments(retryAfter, options, 'NotImplemented'));
  }
}

/**
 * 502: acting as a gateway or proxy, the server got an invalid response, or a
 * refused or reset connection, from upstream.
 *
 * @example
 * throw new BadGateway({ detail: 'The payment provider sent an invalid answer.', cause: err })
 */
export class BadGateway extends ServerError {
  constructor(options?: ServerErrorOptions | string) {
    super(502, options);
  }
}

/**
 * 503: overloaded or down for maintenance, for now. `retryAfter` (seconds or a
 * Date) is sent as `Retry-After`; the response is always `Cache-Control: no-store`.
 *
 * @example
 * throw new ServiceUnavailable(120, { detail: 'Down for maintenance.' })
 */
export class ServiceUnavailable extends ServerError {
  constructor(retryAfter?: RetryAfter | RetryableErrorOptions | string, options?: ServerErrorOptions) {
    super(503, retryArguments(retryAfter, options, 'ServiceUnavailable'));
  }
}

/**
 * 504: acting as a gateway or proxy, the server did not get an answer from
 * upstream in time.
 *
 * @example
 * throw new GatewayTimeout({ detail: 'The search backend did not answer within 5 s.' })
 */
export class GatewayTimeout extends ServerError {
  constructor(options?: ServerErrorOptions | string) {
    super(504, options);
  }
}

/**
 * 505: the request's major HTTP version is not supported. RFC 9110 §15.6.6 asks
 * to say which versions are, for example in `detail` or an extension.
 *
 * @example
 * throw new HTTPVersionNotSupported({ extensions: { supported: ['1.1'] } })
 */
export class HTTPVersionNotSupported extends ServerError {
  constructor(options?: ServerErrorOptions | string) {
    super(505, options);
  }
}

/**
 * 506: a content negotiation misconfiguration: the chosen variant negotiates itself.
 *
 * @example
 * throw new VariantAlsoNegotiates({ message: 'variant /doc.en negotiates again' })
 */
export class VariantAlsoNegotiates extends ServerError {
  constructor(options?: ServerErrorOptions | string) {
    super(506, options);
  }
}

/**
 * 507: the server cannot store what the request needs (disk or quota full).
 * `ENOSPC` and `EDQUOT` system errors become this automatically.
 *
 * @example
 * throw new InsufficientStorage({ detail: 'Your upload quota is used up.' })
 */
export class InsufficientStorage extends ServerError {
  constructor(options?: ServerErrorOptions | string) {
    super(507, options);
  }
}

/**
 * 508: processing found an infinite loop, so the whole operation failed.
 *
 * @example
 * throw new LoopDetected({ detail: 'The request came back through this proxy.' })
 */
export class LoopDetected extends ServerError {
  constructor(options?: ServerErrorOptions | string) {
    super(508, options);
  }
}

/**
 * 510: the request lacks an HTTP extension the resource requires (RFC 2774, now
 * Historic). Say in `detail` what the client must send.
 *
 * @example
 * throw new NotExtended({ detail: 'Send the Man: header required by this resource.' })
 */
export class NotExtended extends ServerError {
  constructor(options?: ServerErrorOptions | string) {
    super(510, options);
  }
}

/**
 * 511: the client must log in to the network first, as a captive portal asks.
 * The body carries `loginUrl` (RFC 6585 §6 asks the response to link to it), and
 * the response is always `Cache-Control: no-store`.
 *
 * @example
 * throw new NetworkAuthenticationRequired({ loginUrl: 'https://wifi.example.com/login' })
 */
export class NetworkAuthenticationRequired extends ServerError {
  /** Where the client logs in, as given. */
  readonly loginUrl: string | undefined;

  constructor(options?: NetworkAuthenticationRequiredOptions | string) {
    const loginUrl = checkLoginUrl(
      typeof options === 'object' && options !== null ? options.loginUrl : undefined,
    );
    super(511, withLoginUrl(options, loginUrl));
    this.loginUrl = loginUrl;
  }
}

function withLoginUrl(
  options: NetworkAuthenticationRequiredOptions | string | undefined,
  loginUrl: string | undefined,
): ServerErrorOptions | string | undefined {
  if (typeof options !== 'object' || options === null) return options;
  const { loginUrl: _loginUrl, ...rest } = options;
  const { extensions } = rest;
  // Malformed extensions are passed on untouched for ServerError to reject by name.
  if (
    loginUrl === undefined ||
    (extensions !== undefined && (typeof extensions !== 'object' || extensions === null))
  ) {
    return rest;
  }
  return { ...rest, extensions: { ...extensions, loginUrl } };
}

/**
 * 598 (not in any RFC): a proxy timed out reading from the server behind it.
 * Clients treat it as a 500.
 *
 * @example
 * throw new NetworkReadTimeout({ cause: err })
 */
export class NetworkReadTimeout extends ServerError {
  constructor(options?: ServerErrorOptions | string) {
    super(598, options);
  }
}

/**
 * 599 (not in any RFC): a proxy timed out connecting to the server behind it.
 * Clients treat it as a 500.
 *
 * @example
 * throw new NetworkConnectTimeout({ cause: err })
 */
export class NetworkConnectTimeout extends ServerError {
  constructor(options?: ServerErrorOptions | string) {
    super(599, options);
  }
}

/** The error class of each catalog status. */
export const errorClasses = {
  500: InternalServerError,
  501: NotImplemented,
  502: BadGateway,
  503: ServiceUnavailable,
  504: GatewayTimeout,
  505: HTTPVersionNotSupported,
  506: VariantAlsoNegotiates,
  507: InsufficientStorage,
  508: LoopDetected,
  510: NotExtended,
  511: NetworkAuthenticationRequired,
  598: NetworkReadTimeout,
  599: NetworkConnectTimeout,
} as const;
