import { type Classified, classified, INTERNAL } from './classified';
import { classify, type CompiledRule } from './classify';
import type { ReadOnce } from '../util/read-once';
import { safeGet, safeInstanceOf } from '../util/safe-get';
import { isServerError, ServerError } from '../errors/server-error';
import { reasonOf, warnOnce as onceOnly } from '../misuse/warnings';

/**
 * What a `map` rule matches: an error class (by `instanceof`), an error `code`
 * string, or a predicate that returns `true` for the errors it wants.
 */
export type ErrorMatcher =
  (abstract new (...args: never[]) => unknown) | string | ((err: unknown) => boolean);

/**
 * What a matched error becomes: a status from 500 to 599, one of the error
 * classes (built with the thrown value as its `cause`), or a function that
 * builds the {@link ServerError} itself.
 */
export type ErrorTarget =
  number | (new (options?: { cause?: unknown }) => ServerError) | ((err: unknown) => ServerError);

/** One `map` rule: `[matcher, target]`. */
export type MapRule = readonly [ErrorMatcher, ErrorTarget];

/** Whether a function is a class the rule must `instanceof`/`new` rather than call. */
function isClass(fn: object): boolean {
  const proto: unknown = safeGet(fn, 'prototype');
  return fn === Error || proto instanceof Error || /^class[\s{]/.test(Function.prototype.toString.call(fn));
}

function isServerErrorClass(fn: unknown): boolean {
  return typeof fn === 'function' && isServerError(safeGet(fn, 'prototype'));
}

/**
 * Compiles the `map` rules once, at start-up. A rule that fails at request time
 * (a predicate that throws, a factory that returns something else than a
 * ServerError) warns once and never breaks the response.
 */
export function compileRules(rules: readonly MapRule[]): CompiledRule[] {
  return rules.map(([matcher, target], index) => {
    const warn = warnOnce(index);
    const matches = compileMatcher(matcher, warn);
    const resolve = compileTarget(target, warn);
    return (thrown, read) => (matches(thrown, read) ? resolve(thrown) : undefined);
  });
}

function compileMatcher(
  matcher: ErrorMatcher,
  warn: (problem: string) => void,
): (thrown: unknown, read: ReadOnce) => boolean {
  if (typeof matcher === 'string') return (_thrown, read) => read.get('code') === matcher;
  if (isClass(matcher)) {
    const Class = matcher as abstract new (...args: never[]) => unknown;
    return (thrown) => safeInstanceOf(thrown, Class);
  }
  const predicate = matcher as (err: unknown) => boolean;
  return (thrown) => {
    try {
      return predicate(thrown) === true;
    } catch (error) {
      warn(`its matcher threw (${reasonOf(error)}); the rule was skipped`);
      return false;
    }
  };
}

function compileTarget(
  target: ErrorTarget,
  warn: (problem: string) => void,
): (thrown: unknown) => Classified {
  if (typeof target === 'number') {
    const fixed = classified(target);
    return () => fixed;
  }
  const build: (thrown: unknown) => unknown = isServerErrorClass(target)
    ? (thrown) => new (target as new (options: { cause: unknown }) => ServerError)({ cause: thrown })
    : (target as (err: unknown) => unknown);
  return (thrown) => {
    let built: unknown;
    try {
      built = build(thrown);
    } catch (error) {
      warn(`its target threw (${reasonOf(error)}); answered 500`);
      return INTERNAL;
    }
    if (!isServerError(built)) {
      warn('its target did not return a ServerError; answered 500');
      return INTERNAL;
    }
    return classify(built);
  };
}

function warnOnce(index: number): (problem: string) => void {
  const once = onceOnly();
  return (problem) =>
    once('rule', `serverErrors(): map rule ${index} failed: ${problem}.`, 'SERVER_ERRORS_MAP_RULE');
}
