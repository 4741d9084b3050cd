import type { IncomingMessage } from 'node:http';

import * as z from 'zod/mini';

import { anyFunction } from '../misuse/validate-options';
import { pathMatcher } from './path-match';
import { requestPath } from '../node/request-facts';
import type { AllowRule } from './allow-rule';

// A path is a path, not a glob: "/health/*" would match only itself.
const allowRule = () =>
  z.union([
    z.string().check(
      z.startsWith('/'),
      z.refine((path) => !path.includes('*')),
    ),
    z.instanceof(RegExp),
    anyFunction(),
  ]);

/** The schema of an `allow` option: one {@link AllowRule} or an array of them. */
export const allowOption = () => z.optional(z.union([allowRule(), z.array(allowRule())]));

export const ALLOW_EXPECTED =
  'a path starting with "/", a RegExp, a function (req) => boolean, or an array of them';

/** The hint for an `allow` written as a glob: the folder rule it was meant as. */
export function allowHint(received: unknown): string | undefined {
  return typeof received === 'string' && received.includes('*')
    ? `Paths are not globs: write ${JSON.stringify(folderOf(received))} to let through that path and everything under it, or use a RegExp.`
    : undefined;
}

/** The folder rule a glob such as "/health/*" or "/health*" was meant as: "/health/". */
function folderOf(glob: string): string {
  const base = glob.slice(0, glob.indexOf('*')).replace(/\/+$/, '');
  return `${base}/`;
}

/**
 * The checked `allow` option as one predicate, or `undefined` when it allows
 * nothing (so the request path pays nothing for it).
 *
 * @example
 * const allowed = compileAllow(['/health', /^\/metrics/]);
 * if (allowed?.(req)) return next();
 */
export function compileAllow<Req extends IncomingMessage>(
  allow: AllowRule<Req> | readonly AllowRule<Req>[] | undefined,
): ((req: Req) => boolean) | undefined {
  const rules: readonly AllowRule<Req>[] =
    allow === undefined ? [] : Array.isArray(allow) ? allow : [allow as AllowRule<Req>];
  if (rules.length === 0) return undefined;
  const paths: string[] = [];
  const patterns: RegExp[] = [];
  const predicates: ((req: Req) => boolean)[] = [];
  for (const rule of rules) {
    if (typeof rule === 'function') predicates.push(rule);
    // A global or sticky RegExp remembers lastIndex between test() calls and
    // would let every other request through; a copy without those flags does not.
    else if (rule instanceof RegExp) patterns.push(new RegExp(rule.source, rule.flags.replace(/[gy]/g, '')));
    else paths.push(rule);
  }
  const byPath = pathMatcher(paths);
  return (req) => {
    if (byPath?.(req) === true) return true;
    if (patterns.length > 0) {
      const path = requestPath(req);
      for (const pattern of patterns) if (pattern.test(path)) return true;
    }
    for (const predicate of predicates) if (predicate(req) === true) return true;
    return false;
  };
}
