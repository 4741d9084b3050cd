import { lookupStatus } from '../catalog/catalog';
import { problemSchema } from '../describe/problem-schema';
import { errorClasses, NetworkAuthenticationRequired } from '../errors/classes';
import { type RetryableErrorOptions, ServerError, UPSTREAM_ANSWER_BRAND } from '../errors/server-error';
import { isExtensionKey, PROBLEM_MEMBERS } from '../http/problem-members';
import type { RetryAfter } from '../http/retry-after';
import { checkResponse } from './check-response';
import { ClientError } from './client-error';
import { mediaTypeOf, PROBLEM_JSON, PROBLEM_XML } from './media-type';
import { readProblemXml } from './problem-xml';
import { readBoundedText } from './read-body';
import { readRetryAfter } from './retry-delay';

/** What {@link parseProblem} resolves to for an error response. */
export type ProblemError = ServerError | ClientError;

function errorStatus(response: Response): number | undefined {
  const { status } = response;
  return Number.isInteger(status) && status >= 400 && status <= 599 ? status : undefined;
}

/**
 * Whether a fetch `Response` is an error (4xx or 5xx) whose body is a problem:
 * `application/problem+json` or `application/problem+xml` (RFC 9457).
 *
 * @example
 * if (isProblem(response)) throw await parseProblem(response);
 */
export function isProblem(response: Response): boolean {
  checkResponse('isProblem', response);
  return errorStatus(response) !== undefined && problemType(response) !== undefined;
}

function problemType(response: Response): string | undefined {
  let contentType: string | null;
  try {
    contentType = response.headers.get('content-type');
  } catch {
    return undefined;
  }
  const type = mediaTypeOf(contentType);
  return type === PROBLEM_JSON || type === PROBLEM_XML ? type : undefined;
}

/**
 * Reads an error response back into the error it stands for: our class for a
 * catalog status (`ServiceUnavailable` for a 503), `ServerError` for another
 * 5xx, a {@link ClientError} for a 4xx. A problem body (JSON or XML, up to
 * 1 MiB) gives it its `detail`, `type`, `instance` and extensions, each checked
 * against the problem schema: a member of the wrong type is ignored, as RFC
 * 9457 §3.1 asks. The `Retry-After` header, seconds or an HTTP-date, becomes
 * `retryAfter` where the error can carry one (501, 503 and every 4xx).
 * The status is the response's: a body's `status` is only advisory (§3.1.2).
 * A missing, broken, oversized or non-problem body gives the error of the
 * status alone; the body is read only when it is a problem. Resolves to
 * `undefined` for a response that is not an error (below 400). Never rejects
 * for what the response holds.
 *
 * @example
 * const err = await parseProblem(await fetch(url)); if (err) throw err;
 */
export async function parseProblem(response: Response): Promise<ProblemError | undefined> {
  checkResponse('parseProblem', response);
  const status = errorStatus(response);
  if (status === undefined) return undefined;
  const type = problemType(response);
  const body = type === undefined ? undefined : await readProblem(response, type);
  return errorOf(status, body, readRetryAfter(response.headers), response.statusText);
}

async function readProblem(response: Response, type: string): Promise<object | undefined> {
  const text = await readBoundedText(response);
  if (text === undefined) return undefined;
  if (type === PROBLEM_XML) return readProblemXml(text);
  try {
    const body: unknown = JSON.parse(text);
    return typeof body === 'object' && body !== null && !Array.isArray(body) ? body : undefined;
  } catch {
    return undefined;
  }
}

interface Members {
  readonly options: RetryableErrorOptions;
  readonly title: string | undefined;
}

/** The members of a problem body that pass the schema, as the options of an error class. */
function membersOf(body: object | undefined): Members {
  if (body === undefined) return { options: {}, title: undefined };
  const { shape } = problemSchema;
  const standard: Record<string, unknown> = {};
  const extensions: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) {
    const schema = Object.hasOwn(shape, name) ? shape[name] : undefined;
    if (schema !== undefined && !schema.safeParse(value).success) continue;
    if (PROBLEM_MEMBERS.includes(name)) standard[name] = value;
    else if (isExtensionKey(name)) extensions[name] = value;
  }
  const text = (name: string) => standard[name] as string | undefined;
  const options: RetryableErrorOptions = {};
  for (const name of ['detail', 'type', 'instance'] as const) {
    const value = text(name);
    if (value !== undefined) options[name] = value;
  }
  if (Object.keys(extensions).length > 0) options.extensions = extensions;
  return { options, title: text('title') };
}

type ErrorClass = new (options: RetryableErrorOptions & { loginUrl?: string }) => ServerError;

function errorOf(
  status: number,
  body: object | undefined,
  retryAfter: RetryAfter | undefined,
  statusText: string,
): ProblemError {
  const { options, title } = membersOf(body);
  const message = options.detail ?? title ?? (statusText || undefined);
  const full: RetryableErrorOptions = { ...options, ...(message === undefined ? {} : { message }) };
  let error: ProblemError;
  try {
    error = build(status, full, retryAfter);
  } catch {
    // A body the class still refuses, such as an extension it cannot hold:
    // the status and what it says of retrying are worth more than nothing.
    error = build(status, {}, retryAfter);
  }
  // Not enumerable: a log or JSON.stringify of the error shows what the upstream said, nothing more.
  Object.defineProperty(error, UPSTREAM_ANSWER_BRAND, { value: true });
  return error;
}

function build(
  status: number,
  options: RetryableErrorOptions,
  retryAfter: RetryAfter | undefined,
): ProblemError {
  if (status < 500) return new ClientError(status, withRetryAfter(options, retryAfter));
  const entry = lookupStatus(status);
  if (entry === undefined) return new ServerError(status, options);
  const Class = errorClasses[entry.status as keyof typeof errorClasses] as ErrorClass;
  const withRetry = entry.retryAfter ? withRetryAfter(options, retryAfter) : options;
  return new Class(Class === NetworkAuthenticationRequired ? loginUrlAsOption(withRetry) : withRetry);
}

function withRetryAfter(
  options: RetryableErrorOptions,
  retryAfter: RetryAfter | undefined,
): RetryableErrorOptions {
  return retryAfter === undefined ? options : { ...options, retryAfter };
}

/** A 511's `loginUrl` is an option of its class, which puts it back among the extensions. */
function loginUrlAsOption(options: RetryableErrorOptions): RetryableErrorOptions & { loginUrl?: string } {
  const { extensions } = options;
  if (extensions === undefined || typeof extensions.loginUrl !== 'string') return options;
  const { loginUrl, ...rest } = extensions;
  return {
    ...options,
    loginUrl,
    extensions: rest,
  };
}
