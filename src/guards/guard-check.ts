import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Guard } from './guard';

/**
 * What a guard decides on the spot, without calling `next`: `undefined` lets
 * the request through, anything else is the refusal to hand to `next`.
 */
export type GuardCheck<Req extends IncomingMessage = IncomingMessage> = (
  req: Req,
  res: ServerResponse,
) => unknown;

/** The check of each guard made by {@link checkingGuard}; `null` for one that lets every request through. */
const checks = new WeakMap<object, GuardCheck<never> | null>();

/**
 * A guard that decides on the spot: the middleware runs `check` and hands its
 * verdict to `next`. {@link guards} finds the check and runs the checks of
 * its guards in a loop of its own, without a call to each middleware and to
 * its `next`.
 */
export function checkingGuard<Req extends IncomingMessage = IncomingMessage>(
  check: GuardCheck<Req>,
): Guard<Req> {
  const guard: Guard<Req> = (req, res, next) => {
    const refused = check(req, res);
    if (refused === undefined) next();
    else next(refused);
  };
  checks.set(guard, check as GuardCheck<never>);
  return guard;
}

/** A guard that lets every request through, such as `maintenance({ enabled: false })`: {@link guards} leaves it out. */
export const passThrough: Guard = (_req, _res, next) => next();
checks.set(passThrough, null);

/** The guard's check (`null` for {@link passThrough}), or `undefined` for any other middleware. */
export function checkOf<Req extends IncomingMessage>(guard: Guard<Req>): GuardCheck<Req> | null | undefined {
  return checks.get(guard) as GuardCheck<Req> | null | undefined;
}
