import type { IncomingMessage } from 'node:http';

import { showValue } from '../misuse/show-value';
import { usageError } from '../misuse/usage-error';
import type { Guard } from './guard';

/**
 * Several guards as one middleware: each runs in the order given, as if each
 * had its own `app.use()`, and the first refusal (or throw) goes to `next`,
 * for `serverErrors()`, with the rest skipped. Express charges every
 * middleware it dispatches to, whatever the middleware does: seven that only
 * call `next()` cost a small route 0–4 % of its CPU, run to run (measured,
 * bench/run.mjs), as much as most guards' own work. One layer for all of
 * them costs a call each. Any Connect-style middleware may be in the list; like
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
  const count = list.length;

  return function composedGuards(req, res, next) {
    let index = 0;
    const step = (err?: unknown): void => {
      // Express's rule: any truthy value is an error (or 'route', which it handles).
      if (err) return next(err);
      if (index === count) return next();
      const guard = list[index++] as Guard<Req>;
      try {
        const result: unknown = guard(req, res, step);
        if (isThenable(result)) result.then(undefined, (error: unknown) => step(refusal(error)));
      } catch (error) {
        step(refusal(error));
      }
    };
    step();
  };
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
