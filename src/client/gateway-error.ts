import * as z from 'zod/mini';

import { type OptionsSpec, type ShapeOf, validateOptions } from '../misuse/validate-options';
import { BadGateway, ServiceUnavailable } from '../errors/classes';
import { checkResponse } from './check-response';
import { retryDelayShape, RETRY_DELAY_WORDS } from './delay-options';
import { parseProblem } from './parse-problem';
import { DEFAULT_JITTER, DEFAULT_MAX_DELAY, delayOf, type RetryDelayOptions } from './retry-delay';

/** The options of {@link gatewayError}: those of `retryDelay`, for the Retry-After passed on, and your own `detail`. */
export interface GatewayErrorOptions extends RetryDelayOptions {
  /** Public: the `detail` of your gateway error. The upstream's is never sent. Defaults to none. */
  detail?: string;
}

const schema = () => z.strictObject({ ...retryDelayShape(), detail: z.optional(z.string()) });

const spec: OptionsSpec<ShapeOf<typeof schema>> = {
  name: 'gatewayError',
  schema,
  ...RETRY_DELAY_WORDS,
  expected: { ...RETRY_DELAY_WORDS.expected, detail: 'a string' },
};

/**
 * The error a gateway throws for an upstream's error response: a
 * `BadGateway` (RFC 9110 §15.6.3), or a `ServiceUnavailable` when the upstream
 * answered 503 with a `Retry-After`, which is passed on capped and jittered
 * (`max`, `jitter`: see `retryDelay`) and in seconds, so your clients do not
 * wait an hour nor all come back at once. The upstream's problem, read by
 * `parseProblem`, is the `cause`: logged, never sent. None of the upstream's
 * headers and nothing of its body goes to your client; its body is read (when
 * a problem) or cancelled, so the connection is free again. For an answer
 * that is no error but that you cannot use either, it is a 502 without a cause.
 *
 * @example
 * if (!response.ok) throw await gatewayError(response);
 */
export async function gatewayError(
  upstream: Response,
  options?: GatewayErrorOptions,
): Promise<BadGateway | ServiceUnavailable> {
  checkResponse('gatewayError', upstream);
  const { max = DEFAULT_MAX_DELAY, jitter = DEFAULT_JITTER, detail } = validateOptions(spec, options);
  const cause = await parseProblem(upstream);
  if (upstream.bodyUsed === false) upstream.body?.cancel().catch(() => undefined);
  const own = {
    message: `The upstream ${where(upstream)}answered ${upstream.status}${cause ? ` (${cause.message})` : ''}.`,
    cause,
    ...(detail === undefined ? {} : { detail }),
  };
  const delay = cause instanceof ServiceUnavailable ? delayOf(cause.retryAfter, max, jitter) : undefined;
  return delay === undefined ? new BadGateway(own) : new ServiceUnavailable(Math.ceil(delay / 1000), own);
}

/** The upstream's URL for the log, without its query and fragment, which may hold tokens. */
function where(upstream: Response): string {
  try {
    const url = new URL(upstream.url);
    return `${url.origin}${url.pathname} `;
  } catch {
    return '';
  }
}
