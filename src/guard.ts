import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A guard: a Connect/Express middleware that lets a request through with
 * `next()` or refuses it with `next(error)`, for `serverErrors()` to answer.
 * `Req` is the request type your predicates read, such as Express's `Request`.
 */
export type Guard<Req extends IncomingMessage = IncomingMessage> = (
  req: Req,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void;

const refusals = new WeakSet<object>();

/**
 * Marks an error as a guard's deliberate refusal (maintenance, load shedding, a
 * captive portal, an unknown method or version): `serverErrors()` answers it
 * like any other, but does not log it as a failure. Under load shedding a stack
 * trace per refused request would make the overload worse.
 */
export function refusal<E extends object>(error: E): E {
  refusals.add(error);
  return error;
}

export function isRefusal(value: unknown): boolean {
  return typeof value === 'object' && value !== null && refusals.has(value);
}
