import type { IncomingMessage } from 'node:http';

/**
 * A request a guard lets through whatever it would otherwise decide: a path,
 * matched as the router would route it (`'/health'` also matches `/health/`
 * and `/HEALTH`, unless the Express app turns on case-sensitive or strict
 * routing), or, when it ends in `/`, as a folder (`'/admin/'` matches `/admin`,
 * `/admin/` and everything under it; `'/'` alone is only the root); a RegExp
 * tested against the path as sent; or a predicate that returns `true`. Paths
 * are not globs: `*` is refused.
 */
export type AllowRule<Req extends IncomingMessage = IncomingMessage> =
  string | RegExp | ((req: Req) => boolean);
