import type { IncomingMessage } from 'node:http';

import { requestPath } from '../node/request-facts';

/** How the app's router compares paths: Express's settings, or its defaults (`false`, `false`). */
interface Routing {
  readonly caseSensitive: boolean;
  readonly strict: boolean;
}

// The four ways a router can compare, indexed by case sensitivity then strictness.
const ROUTINGS: readonly (readonly [Routing, Routing])[] = [false, true].map(
  (caseSensitive) =>
    [
      Object.freeze({ caseSensitive, strict: false }),
      Object.freeze({ caseSensitive, strict: true }),
    ] as const,
);
const EXPRESS_DEFAULTS = (ROUTINGS[0] as readonly [Routing, Routing])[0];

type Enabled = (setting: string) => unknown;

/**
 * The routing settings of the Express app a request is in (`case sensitive
 * routing`, `strict routing`); Connect and bare `node:http` have no router, and
 * get Express's defaults.
 */
function routingOf(req: IncomingMessage): Routing {
  const app = (req as { app?: { enabled?: Enabled } }).app;
  if (typeof app?.enabled !== 'function') return EXPRESS_DEFAULTS;
  const caseSensitive = app.enabled('case sensitive routing') === true;
  const strict = app.enabled('strict routing') === true;
  return (ROUTINGS[caseSensitive ? 1 : 0] as readonly [Routing, Routing])[strict ? 1 : 0];
}

/** A path as the router compares it: lower case unless case-sensitive, one trailing slash off unless strict. */
function normalize(path: string, { caseSensitive, strict }: Routing): string {
  const cased = caseSensitive ? path : path.toLowerCase();
  return !strict && cased.length > 1 && cased.endsWith('/') ? cased.slice(0, -1) : cased;
}

/**
 * Matches request paths (without the query, as the client sent them, also when
 * the middleware is mounted under a prefix) against paths, as the app's router
 * would route them: `'/health'` matches `/health`, and by Express's defaults
 * `/health/` and `/HEALTH` too; a path ending in `/` is a folder (`'/admin/'`
 * matches `/admin` and everything under it), except `'/'`, the root alone.
 */
export function pathMatcher(paths: readonly string[]): ((req: IncomingMessage) => boolean) | undefined {
  if (paths.length === 0) return undefined;
  const compiled = new Map<Routing, { exact: ReadonlySet<string>; folders: readonly string[] }>();
  const rulesFor = (routing: Routing) => {
    let rules = compiled.get(routing);
    if (rules === undefined) {
      const exact = new Set<string>();
      const folders: string[] = [];
      for (const path of paths) {
        // "/" as a folder would be everything.
        if (path.endsWith('/') && path !== '/') {
          const folder = caseOf(path, routing);
          folders.push(folder);
          exact.add(folder.slice(0, -1));
        } else exact.add(normalize(path, routing));
      }
      rules = { exact, folders };
      compiled.set(routing, rules);
    }
    return rules;
  };
  return (req) => {
    const routing = routingOf(req);
    const { exact, folders } = rulesFor(routing);
    const path = requestPath(req);
    if (exact.has(normalize(path, routing))) return true;
    const cased = caseOf(path, routing);
    for (const folder of folders) if (cased.startsWith(folder)) return true;
    return false;
  };
}

function caseOf(path: string, { caseSensitive }: Routing): string {
  return caseSensitive ? path : path.toLowerCase();
}
