import { type Classified, classified, INTERNAL, type Snapshot } from './classified';
import { debugInfoOf, errorInfo } from './debug-info';
import { INVALID_RESPONSE, isAbort, isInvalidResponse, STANDARD_CODES, TIMEOUT } from './system-codes';
import { isRefusal } from '../errors/refusal';
import { checkedRetryAfter, collectHeaders, neededHeaders, NO_HEADERS } from '../http/headers';
import { toPlainObject } from '../util/plain-value';
import { CauseChain, ReadOnce } from '../util/read-once';
import { safeInstanceOf } from '../util/safe-get';
import { SERVER_ERROR_BRAND, ServerError, UPSTREAM_ANSWER_BRAND } from '../errors/server-error';

export type { Classified } from './classified';

/**
 * A `map` rule ready for the request path: the classification, or `undefined`
 * when it does not match. It reads the thrown value through `read`, so a code
 * it compares is the code everything else sees.
 */
export type CompiledRule = (thrown: unknown, read: ReadOnce) => Classified | undefined;

/** What {@link snapshot} needs besides the thrown value: the compiled options. */
export interface ClassifyRules {
  readonly rules: readonly CompiledRule[];
  readonly codes: ReadonlyMap<string, Classified>;
  /** Read the diagnostics too. */
  readonly debug: boolean;
}

/** Whether a value is an integer HTTP error status, 400–599. */
export function isErrorStatus(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 599;
}

/**
 * Classifies anything thrown, in this order: the user's `map` rules; an error
 * `parseProblem` read back from another service (a gateway failure); our own
 * errors; an error that carries an upstream's response (a gateway failure); an
 * explicit `status` (else `statusCode`, else a Boom `output`) in 400–599; Node
 * system and fetch error codes, on the error or down its `cause` chain;
 * `AbortSignal.timeout()`'s `TimeoutError`; everything else is a 500. Every
 * property is read once, and the result is plain and frozen. Never throws.
 */
export function classify(
  thrown: unknown,
  rules: readonly CompiledRule[] = [],
  codes: ReadonlyMap<string, Classified> = STANDARD_CODES,
): Classified {
  return classifyChain(new CauseChain(thrown), rules, codes);
}

/** What else {@link snapshot} is to read, for this request. */
export interface SnapshotNeeds {
  /** The client has gone: whether the failure is an abort decides if it is logged. */
  readonly clientGone?: boolean;
  /** A trace records a 5xx: its exception event needs the error's name, message and stack. */
  readonly exception?: boolean;
}

/**
 * Reads a thrown value, once, into the snapshot the rest of the pipeline works
 * from: its classification and, when asked for, the diagnostics, whether it
 * is an abort (only worth knowing once the client has gone) and what a trace
 * records of it.
 */
export function snapshot(thrown: unknown, rules: ClassifyRules, needs: SnapshotNeeds = {}): Snapshot {
  const chain = new CauseChain(thrown);
  const { status, headers, detail, type, instance, extensions } = classifyChain(
    chain,
    rules.rules,
    rules.codes,
  );
  const { top } = chain;
  const ours = isOurs(top);
  return Object.freeze({
    status,
    headers: headers ?? NO_HEADERS,
    detail,
    type,
    instance,
    // Already plain when classification made it: then this is free.
    extensions: extensions === undefined ? undefined : toPlainObject(extensions),
    refusal: isRefusal(thrown),
    aborted: needs.clientGone === true && isAborted(chain),
    debug: rules.debug ? debugInfoOf(chain) : undefined,
    errorType: (ours ? top.text('name') : undefined) ?? String(status),
    exception: needs.exception === true && status >= 500 ? errorInfo(top) : undefined,
  });
}

/** One of our errors, of this copy of the package or another. */
function isOurs(read: ReadOnce): boolean {
  return safeInstanceOf(read.value, ServerError) || read.get(SERVER_ERROR_BRAND) === true;
}

function classifyChain(
  chain: CauseChain,
  rules: readonly CompiledRule[],
  codes: ReadonlyMap<string, Classified>,
): Classified {
  const { top } = chain;
  const thrown = top.value;
  for (const rule of rules) {
    const mapped = rule(thrown, top);
    if (mapped !== undefined) return mapped;
  }
  if (thrown === null || (typeof thrown !== 'object' && typeof thrown !== 'function')) return INTERNAL;
  if (top.get(UPSTREAM_ANSWER_BRAND) === true) return fromUpstreamAnswer(top);
  if (isOurs(top)) return fromServerError(top);
  return fromUpstream(top) ?? fromOpenBreaker(top) ?? fromStatus(top) ?? fromCode(chain, codes) ?? INTERNAL;
}

/**
 * One of our errors, of this copy of the package or another: its members,
 * each read once and checked, since a subclass or a Proxy may have replaced any.
 */
function fromServerError(read: ReadOnce): Classified {
  let status = read.get('status');
  if (!isErrorStatus(status)) status = read.get('statusCode');
  if (!isErrorStatus(status)) return INTERNAL;
  const extensions = read.get('extensions');
  return Object.freeze({
    status,
    headers: collectHeaders(read.get('headers')),
    detail: read.text('detail'),
    type: read.text('type'),
    instance: read.text('instance'),
    extensions: typeof extensions === 'object' && extensions !== null ? toPlainObject(extensions) : undefined,
  });
}

const BAD_GATEWAY = classified(502);
const UPSTREAM_REFUSED = classified(500);

/**
 * An error thrown because an upstream answered with an error: undici's
 * `ResponseError` (its `responseError()` interceptor) or an axios error with a
 * response. Its status and headers are the upstream's, never ours to send: an
 * upstream 5xx is a gateway failure (502, RFC 9110 §15.6.3); an upstream 4xx
 * is a request this server made wrongly and did not handle, a 500.
 */
function fromUpstream(read: ReadOnce): Classified | undefined {
  let status: unknown;
  if (read.get('code') === 'UND_ERR_RESPONSE') status = read.get('statusCode');
  else if (read.get('isAxiosError') === true) status = new ReadOnce(read.get('response')).get('status');
  return upstreamFailure(status);
}

/** An error `parseProblem` read back from another service's answer, thrown on unchanged. */
function fromUpstreamAnswer(read: ReadOnce): Classified {
  return upstreamFailure(read.get('status')) ?? INTERNAL;
}

function upstreamFailure(status: unknown): Classified | undefined {
  if (!isErrorStatus(status)) return undefined;
  return status >= 500 ? BAD_GATEWAY : UPSTREAM_REFUSED;
}

/**
 * An open circuit breaker (opossum's `EOPENBREAKER`): a dependency known to be
 * down, so the service is unavailable, not broken (a 503, never stored). It
 * says when to come back when `breakerRetryAfter(breaker)` gave its errors a
 * `retryAfter` in seconds.
 */
function fromOpenBreaker(read: ReadOnce): Classified | undefined {
  if (read.get('code') !== 'EOPENBREAKER') return undefined;
  const seconds = read.get('retryAfter');
  if (typeof seconds !== 'number' || !(seconds >= 0) || seconds > MAX_BREAKER_WAIT) return OPEN_BREAKER;
  return Object.freeze({ status: 503, headers: checkedRetryAfter(Math.ceil(seconds)) });
}

// A breaker's reset timeout is seconds to minutes; anything longer is no timeout of one.
const MAX_BREAKER_WAIT = 86_400;
const OPEN_BREAKER = classified(503);

/** http-errors, Express, connect-timeout and Boom errors: an explicit status beats any `code`. */
function fromStatus(read: ReadOnce): Classified | undefined {
  let status = read.get('status');
  if (!isErrorStatus(status)) status = read.get('statusCode');
  if (isErrorStatus(status)) {
    // The message is public only for a client error that says so, as http-errors
    // marks 4xx, or a framework's own client error; a 5xx message never reaches
    // the client (RFC 9457 §5).
    const exposed = status < 500 && isPublicClientError(read);
    return foreign(status, read.get('headers'), exposed ? read.get('message') : undefined);
  }
  if (read.get('isBoom') !== true) return undefined;
  const output = new ReadOnce(read.get('output'));
  status = output.get('statusCode');
  if (!isErrorStatus(status)) return undefined;
  // Boom's 4xx payload message is public by design; its 5xx payload is generic.
  const message = status < 500 ? new ReadOnce(output.get('payload')).get('message') : undefined;
  return foreign(status, output.get('headers'), message);
}

/** An error that is not ours: only the headers its status needs go with it. */
function foreign(status: number, headers: unknown, message: unknown): Classified {
  return Object.freeze({
    status,
    headers: collectHeaders(headers, neededHeaders(status)),
    detail: typeof message === 'string' && message !== '' ? message : undefined,
  });
}

/**
 * A client error whose message is written for the client: an http-errors error
 * marked `expose`; Hono's `HTTPException`, whose message its own handler
 * sends (it has a `getResponse`); or one of Fastify's own 4xx errors (an
 * `FST_ERR_` code: validation, unsupported media type, body too large).
 */
function isPublicClientError(read: ReadOnce): boolean {
  if (read.get('expose') === true) return isHttpError(read);
  const code = read.get('code');
  if (typeof code === 'string' && code.startsWith('FST_ERR_')) return true;
  return typeof read.get('getResponse') === 'function' && safeInstanceOf(read.value, Error);
}

/**
 * http-errors' `isHttpError` by shape alone, reading each member once: every
 * http-errors error has that shape, and the core imports nothing that needs
 * Node (http-errors does).
 */
function isHttpError(read: ReadOnce): boolean {
  const value = read.value;
  if (typeof value !== 'object' || value === null) return false;
  return (
    safeInstanceOf(value, Error) &&
    typeof read.get('expose') === 'boolean' &&
    typeof read.get('statusCode') === 'number' &&
    read.get('status') === read.get('statusCode')
  );
}

function fromCode(chain: CauseChain, codes: ReadonlyMap<string, Classified>): Classified | undefined {
  for (let depth = 0, link = chain.at(0); link !== undefined; link = chain.at(++depth)) {
    const code = link.get('code');
    const known = typeof code === 'string' ? codes.get(code) : undefined;
    if (known !== undefined) return known;
    const name = link.get('name');
    // AbortSignal.timeout() rejects with a DOMException named TimeoutError. Matched
    // by name: a DOMException from another realm (a vm, a test runner) fails instanceof.
    if (name === 'TimeoutError') return TIMEOUT;
    if (isInvalidResponse(code, name)) return INVALID_RESPONSE;
  }
  return undefined;
}

function isAborted(chain: CauseChain): boolean {
  for (let depth = 0, link = chain.at(0); link !== undefined; link = chain.at(++depth)) {
    if (isAbort(link.get('code'), link.get('name'))) return true;
  }
  return false;
}
