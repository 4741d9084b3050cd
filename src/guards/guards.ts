import type { IncomingMessage, ServerResponse } from 'node:http';

import { showValue } from '../misuse/show-value';
import { usageError } from '../misuse/usage-error';
import type { Guard } from './guard';
import { checkOf, type GuardCheck } from './guard-check';

/**
 * Several guards as one middleware: each runs in the order given, as if each
 * had its own `app.use()`, and the first refusal (or throw) goes to `next`,
 * for `serverErrors()`, with the rest skipped. Express charges every
 * middleware it dispatches to, whatever the middleware does: seven that only
 * call `next()` cost a small route 0–4 % of its CPU, run to run (measured,
 * bench/run.mjs), as much as most guards' own work. One layer for all of
 * them costs less: the guards of this package that decide on the spot run as
 * a loop of checks. Any Connect-style middleware may be in the list; like
 * Express 5, a rejected promise it returns is a refusal. At most 100 guards.
 *
 * @example
 * app.use(guards(httpVersions(), methods(), maintenance({ enabled: () => flags.down }), timeout(5000)));
 * // …routes…
 * app.use(serverErrors());
 */
export function guards<Req extends IncomingMessage = IncomingMessage>(...list: Guard<Req>[]): Guard<Req> {
  if (list.length === 0 || list.length > MAX_GUARDS) {
    throw usageError(
      RangeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      `guards(...guards): from 1 to ${MAX_GUARDS} guards, such as guards(methods(), timeout(5000)); received ${list.length}.`,
    );
  }
  list.forEach((guard, index) => {
    if (typeof guard !== 'function') {
      throw usageError(
        TypeError,
        'ERR_SERVER_ERRORS_INVALID_OPTION',
        `guards(...guards): guard ${index + 1} must be a middleware (req, res, next) => void, such as methods(); received ${showValue(guard)}.`,
      );
    }
  });
  const stages = stagesOf(list);
  if (stages.length === 1) {
    // The usual list: guards that decide on the spot, then at most one, such as
    // timeout(), that takes the request on; it gets the router's next as it is.
    const stage = stages[0] as Stage<Req>;
    return function composedGuards(req, res, next) {
      runStage(stage, req, res, next, next);
    };
  }
  return function composedGuards(req, res, next) {
    let index = 0;
    const step = (err?: unknown): void => {
      // Express's rule: any truthy value is an error (or 'route', which it handles).
      if (err) return next(err);
      if (index === stages.length) return next();
      runStage(stages[index++] as Stage<Req>, req, res, next, step);
    };
    step();
  };
}

/** A run of checks, then the middleware that follows them (none after the last run). */
interface Stage<Req extends IncomingMessage> {
  readonly checks: readonly GuardCheck<Req>[];
  readonly guard: Guard<Req> | undefined;
}

/**
 * The list as runs of checks, each ended by a guard that is not a check: the
 * checks run in a loop, with no call to a middleware and its `next` (for the
 * seven guards that was most of what the layer cost besides Express's own
 * dispatch). Guards that let every request through are left out.
 */
function stagesOf<Req extends IncomingMessage>(list: readonly Guard<Req>[]): Stage<Req>[] {
  const stages: Stage<Req>[] = [];
  let checks: GuardCheck<Req>[] = [];
  for (const guard of list) {
    const check = checkOf(guard);
    if (check === null) continue;
    if (check !== undefined) {
      checks.push(check);
      continue;
    }
    stages.push({ checks, guard });
    checks = [];
  }
  if (checks.length > 0 || stages.length === 0) stages.push({ checks, guard: undefined });
  return stages;
}

/**
 * Runs a stage: its checks, then its guard with `then` as the guard's `next`.
 * A refusal goes to `next`, and so does a request let through a stage
 * without a guard (the last).
 */
function runStage<Req extends IncomingMessage>(
  { checks, guard }: Stage<Req>,
  req: Req,
  res: ServerResponse,
  next: (err?: unknown) => void,
  then: (err?: unknown) => void,
): void {
  const refused = runChecks(checks, req, res);
  if (refused !== undefined) next(refused);
  else if (guard === undefined) next();
  else callGuard(guard, req, res, then);
}

/** The first refusal of the checks, in order, or `undefined` when all let the request through. */
function runChecks<Req extends IncomingMessage>(
  checks: readonly GuardCheck<Req>[],
  req: Req,
  res: ServerResponse,
): unknown {
  try {
    for (let i = 0; i < checks.length; i++) {
      const refused = (checks[i] as GuardCheck<Req>)(req, res);
      if (refused !== undefined) return refused;
    }
  } catch (error) {
    return refusal(error);
  }
  return undefined;
}

/** Runs a middleware as Express 5 would: what it throws, or rejects with, is a refusal. */
function callGuard<Req extends IncomingMessage>(
  guard: Guard<Req>,
  req: Req,
  res: ServerResponse,
  next: (err?: unknown) => void,
): void {
  try {
    const result: unknown = guard(req, res, next);
    if (isThenable(result)) result.then(undefined, (error: unknown) => next(refusal(error)));
  } catch (error) {
    next(refusal(error));
  }
}

/** What a guard threw or rejected with: a falsy value would otherwise let the request through. */
function refusal(error: unknown): unknown {
  return error || new Error(`guards(): a guard threw or rejected with ${showValue(error)}`);
}

/** The most guards one {@link guards} takes: a list longer than this is a bug, not a configuration. */
const MAX_GUARDS = 100;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}
