import createError from 'http-errors';

import { INVALID_RESPONSE, isInvalidResponse, STANDARD_CODES, TIMEOUT } from './error-codes';
import type { CompiledRule } from './map-rules';
import { safeGet, safeInstanceOf } from './safe-get';
import { isServerError, ServerError } from './server-error';

/**
 * What classification makes of a thrown value: everything the problem and the
 * response are built from. A {@link ServerError} is one already, so our own
 * errors pass through without a copy.
 */
export interface Classified {
  /** 400–599. */
  readonly status: number;
  /** Headers the error asks for; checked again when written. */
  readonly headers?: unknown;
  /** Public explanation for the `detail` member. */
  readonly detail?: string | undefined;
  readonly type?: string | undefined;
  readonly instance?: string | undefined;
  readonly extensions?: Readonly<Record<string, unknown>> | undefined;
}

const INTERNAL: Classified = Object.freeze({ status: 500 });

// How far down a `cause` chain a code is looked for: fetch() wraps the socket
// error once ("fetch failed" → ECONNREFUSED), libraries wrap it a few more times.
const MAX_CAUSE_DEPTH = 5;

/** Whether a value is an integer HTTP error status, 400–599. */
export function isErrorStatus(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 599;
}

/**
 * Classifies anything thrown, in this order: the user's `map` rules; our own
 * errors; an explicit `status` (else `statusCode`, else a Boom `output`) in
 * 400–599; Node system and fetch error codes, on the error or down its `cause`
 * chain; `AbortSignal.timeout()`'s `TimeoutError`; everything else is a 500.
 * Never throws.
 */
export function classify(
  thrown: unknown,
  rules: readonly CompiledRule[] = [],
  codes: ReadonlyMap<string, Classified> = STANDARD_CODES,
): Classified {
  for (const rule of rules) {
    const mapped = rule(thrown);
    if (mapped !== undefined) return mapped;
  }
  if (thrown === null || (typeof thrown !== 'object' && typeof thrown !== 'function')) return INTERNAL;
  if (safeInstanceOf(thrown, ServerError) && isErrorStatus(safeGet(thrown, 'status'))) {
    return thrown as ServerError;
  }
  if (isServerError(thrown)) return fromOtherCopy(thrown);
  return fromStatus(thrown) ?? fromCode(thrown, codes) ?? INTERNAL;
}

/** A ServerError of another installed copy of this package: read field by field, trusting nothing. */
function fromOtherCopy(thrown: object): Classified {
  const status = safeGet(thrown, 'status');
  if (!isErrorStatus(status)) return INTERNAL;
  const text = (key: string): string | undefined => {
    const value = safeGet(thrown, key);
    return typeof value === 'string' ? value : undefined;
  };
  const extensions = safeGet(thrown, 'extensions');
  return {
    status,
    headers: safeGet(thrown, 'headers'),
    detail: text('detail'),
    type: text('type'),
    instance: text('instance'),
    extensions:
      typeof extensions === 'object' && extensions !== null
        ? (extensions as Record<string, unknown>)
        : undefined,
  };
}

/** http-errors, Express, connect-timeout and Boom errors: an explicit status beats any `code`. */
function fromStatus(thrown: object): Classified | undefined {
  let status = safeGet(thrown, 'status');
  if (!isErrorStatus(status)) status = safeGet(thrown, 'statusCode');
  if (isErrorStatus(status)) {
    // The message is public only for a client error that says so, as http-errors
    // marks 4xx; a 5xx message never reaches the client (RFC 9457 §5).
    const exposed = status < 500 && safeGet(thrown, 'expose') === true && safeIsHttpError(thrown);
    const message = exposed ? safeGet(thrown, 'message') : undefined;
    return {
      status,
      headers: safeGet(thrown, 'headers'),
      detail: typeof message === 'string' && message !== '' ? message : undefined,
    };
  }
  if (safeGet(thrown, 'isBoom') !== true) return undefined;
  const output = safeGet(thrown, 'output');
  status = safeGet(output, 'statusCode');
  if (!isErrorStatus(status)) return undefined;
  // Boom's 4xx payload message is public by design; its 5xx payload is generic.
  const message = status < 500 ? safeGet(safeGet(output, 'payload'), 'message') : undefined;
  return {
    status,
    headers: safeGet(output, 'headers'),
    detail: typeof message === 'string' && message !== '' ? message : undefined,
  };
}

function fromCode(thrown: object, codes: ReadonlyMap<string, Classified>): Classified | undefined {
  let current: unknown = thrown;
  // The depth limit also ends a cause cycle.
  for (let depth = 0; depth <= MAX_CAUSE_DEPTH && current !== undefined; depth++) {
    const code = safeGet(current, 'code');
    const classified = typeof code === 'string' ? codes.get(code) : undefined;
    if (classified !== undefined) return classified;
    const name = safeGet(current, 'name');
    // AbortSignal.timeout() rejects with a DOMException named TimeoutError. Matched
    // by name: a DOMException from another realm (a vm, a test runner) fails instanceof.
    if (name === 'TimeoutError') return TIMEOUT;
    if (isInvalidResponse(code, name)) return INVALID_RESPONSE;
    current = safeGet(current, 'cause');
  }
  return undefined;
}

function safeIsHttpError(value: object): boolean {
  try {
    return createError.isHttpError(value);
  } catch {
    return false;
  }
}
