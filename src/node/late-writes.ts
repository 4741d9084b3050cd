import type { ServerResponse } from 'node:http';

// Symbol.for: two installed copies of the package share the claim.
const CLAIM = Symbol.for('server-errors.claim');

type Claimable = ServerResponse & { [CLAIM]?: { readonly error: unknown } | undefined };

/**
 * Claims a response for the error layer, to answer with `error`: from now on
 * what the route sends is dropped (an abort listener answering at once, a
 * handler that answers when its call is aborted), until {@link releaseResponse}.
 * `timeout()` claims a response when its deadline passes, so the 503 is the
 * answer whatever the route does next.
 */
export function claimResponse(res: ServerResponse, error: unknown): void {
  (res as Claimable)[CLAIM] = { error };
  dropLateWrites(res);
}

/**
 * Ends a claim, so the response can be written, and returns the error it was
 * claimed for (`undefined` when it was not claimed).
 */
export function releaseResponse(res: ServerResponse): { readonly error: unknown } | undefined {
  const claim = (res as Claimable)[CLAIM];
  if (claim !== undefined) (res as Claimable)[CLAIM] = undefined;
  return claim;
}

function isClaimed(res: ServerResponse): boolean {
  return (res as Claimable)[CLAIM] !== undefined;
}

const PATCHED = Symbol('server-errors.late-writes');

/**
 * While a response is claimed, and once it is answered, the route may still
 * call `res.json()` and the like. Node throws ERR_HTTP_HEADERS_SENT from the
 * header methods and emits an unhandled 'error' from a write after the end; in
 * an async Express 4 handler either one crashes the process. These stand-ins
 * drop all of it, and let the answer through.
 */
function dropLateWrites(res: ServerResponse): void {
  const target = res as unknown as Record<PropertyKey, unknown>;
  if (target[PATCHED] === true) return;
  target[PATCHED] = true;
  for (const name of ['setHeader', 'appendHeader', 'removeHeader', 'writeHead'] as const) {
    const original = target[name];
    if (typeof original !== 'function') continue;
    target[name] = function (this: ServerResponse, ...args: unknown[]): unknown {
      return res.headersSent || isClaimed(res) ? this : Reflect.apply(original, this, args);
    };
  }
  for (const name of ['write', 'end'] as const) {
    const original = target[name];
    if (typeof original !== 'function') continue;
    const result = name === 'write' ? true : res;
    target[name] = function (this: ServerResponse, ...args: unknown[]): unknown {
      if (!res.writableEnded && !res.destroyed && !isClaimed(res)) return Reflect.apply(original, this, args);
      const callback = args.at(-1);
      if (typeof callback === 'function') process.nextTick(callback);
      return result;
    };
  }
}
