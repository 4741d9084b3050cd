import { z } from 'zod';

import { type ErrorLogger, logToStderr } from './log';
import { type CompiledRule, compileRules, type MapRule } from './map-rules';
import { ServerError } from './server-error';
import { showValue } from './show-value';
import { type StatusPlan, statusPlanner, type TypeScheme } from './status-plan';
import { didYouMean, usageError } from './usage-error';

/** The options of {@link serverErrors}. */
export interface ServerErrorsOptions {
  /**
   * Rules that turn your own errors into server errors, tried in order before
   * anything else. Each is `[matcher, target]`: the matcher is an error class, an
   * error `code` string or a predicate `(err) => boolean`; the target is a status
   * from 500 to 599, one of the error classes, or `(err) => ServerError`.
   * Defaults to no rules.
   *
   * @example
   * serverErrors({ map: [[DatabaseDown, 503], ['ECONNABORTED', 502], [isUpstreamTimeout, (e) => new GatewayTimeout({ cause: e })]] })
   */
  map?: readonly MapRule[];
  /**
   * Called once per 5xx with a record `{ status, method, path, err }` and the
   * request; `false` turns logging off. Defaults to one line on stderr with the
   * status, method, path and stack, and to silence when `NODE_ENV` is `test`.
   *
   * @example
   * serverErrors({ log: (record) => logger.error(record, 'request failed') })
   */
  log?: ErrorLogger | false;
  /**
   * How problem `type` URIs are chosen when an error sets none: `'spec'` links to
   * the RFC section that defines the status (`about:blank` where none does, as
   * for 598 and 599); `'about:blank'` always sends `about:blank`. Defaults to `'spec'`.
   */
  types?: TypeScheme;
}

/** The options, checked and turned into what the request path reads. */
export interface Settings {
  readonly rules: readonly CompiledRule[];
  readonly log: ErrorLogger | undefined;
  readonly plan: (status: number) => StatusPlan;
}

const isFunction = (value: unknown): value is (...args: never[]) => unknown => typeof value === 'function';
const fn = z.custom<(...args: never[]) => unknown>(isFunction);

const schema = z.strictObject({
  map: z
    .array(
      z.tuple([
        z.union([z.string().min(1), fn]),
        z.union([
          z.number().int().min(500).max(599),
          fn.refine((value) => (value as unknown) !== ServerError),
        ]),
      ]),
    )
    .optional(),
  log: z.union([z.literal(false), fn]).optional(),
  types: z.enum(['spec', 'about:blank']).optional(),
});

const KNOWN_OPTIONS = Object.keys(schema.shape);

/** What each option (by path pattern, array indexes as `[]`) must be, in words. */
const EXPECTED: Readonly<Record<string, string>> = {
  '': 'an options object',
  map: 'an array of [matcher, target] rules',
  'map[]': 'a [matcher, target] pair',
  'map[][0]': 'an error class, a non-empty error code string or a predicate (err) => boolean',
  'map[][1]':
    'a status from 500 to 599, an error class such as ServiceUnavailable, or a function (err) => ServerError',
  log: 'a function (record, req) => void, or false',
  types: '"spec" or "about:blank"',
};

/** The option paths where a number is the right type, so a wrong number is out of range. */
const NUMERIC = new Set(['map[][1]']);

function at(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  return value;
}

function isRequest(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    'method' in value &&
    'headers' in value &&
    ('socket' in value || 'url' in value)
  );
}

/**
 * Checks the options once, when `serverErrors()` is called, and throws a
 * `TypeError` or `RangeError` that names the option, shows what it received and
 * says what it expected.
 */
export function parseOptions(options: unknown): Settings {
  if (isRequest(options)) {
    throw usageError(
      TypeError,
      'ERR_SERVER_ERRORS_NOT_CALLED',
      'serverErrors received a request instead of options: it looks like you wrote app.use(serverErrors). ' +
        'Call it to get the error handler: app.use(serverErrors()).',
    );
  }
  const result = schema.safeParse(options ?? {});
  if (!result.success) throw toUsageError(options, result.error.issues);
  const { map = [], log, types = 'spec' } = result.data;
  return {
    rules: compileRules(map as readonly MapRule[]),
    log:
      log === false
        ? undefined
        : ((log as ErrorLogger | undefined) ?? (process.env.NODE_ENV === 'test' ? undefined : logToStderr)),
    plan: statusPlanner(types),
  };
}

function toUsageError(input: unknown, issues: readonly z.core.$ZodIssue[]): Error {
  const errors = issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const hint = didYouMean(key, KNOWN_OPTIONS);
        return usageError(
          TypeError,
          'ERR_SERVER_ERRORS_UNKNOWN_OPTION',
          `serverErrors(): unknown option "${key}".${hint ? ` Did you mean "${hint}"?` : ''} Known options: ${KNOWN_OPTIONS.join(', ')}.`,
        );
      });
    }
    const name = issue.path
      .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i ? '.' : ''}${String(key)}`))
      .join('');
    // Array indexes read as `[]`, tuple positions (an index inside an index) stay.
    const pattern = issue.path
      .map((key, i) =>
        typeof key !== 'number'
          ? `${i ? '.' : ''}${String(key)}`
          : typeof issue.path[i - 1] === 'number'
            ? `[${key}]`
            : '[]',
      )
      .join('');
    const received = at(input, issue.path);
    const outOfRange = typeof received === 'number' && NUMERIC.has(pattern);
    const hint =
      received === ServerError
        ? ' ServerError itself needs a status: use a status number or a subclass.'
        : '';
    const subject = name === '' ? 'the options' : `option "${name}"`;
    return [
      usageError(
        outOfRange ? RangeError : TypeError,
        name === '' ? 'ERR_SERVER_ERRORS_INVALID_OPTIONS' : 'ERR_SERVER_ERRORS_INVALID_OPTION',
        `serverErrors(): ${subject} must be ${EXPECTED[pattern] ?? 'valid'}; received ${showValue(received)}.${hint}`,
      ),
    ];
  });
  const [first] = errors;
  if (first === undefined)
    return usageError(TypeError, 'ERR_SERVER_ERRORS_INVALID_OPTIONS', 'serverErrors(): invalid options.');
  if (errors.length > 1)
    first.message += `\nAlso:\n${errors
      .slice(1)
      .map((error) => `- ${error.message}`)
      .join('\n')}`;
  return first;
}
