import * as z from 'zod/mini';

import { showValue } from './show-value';
import { didYouMean } from './did-you-mean';
import { usageError } from './usage-error';

/** How to check the options of one factory (`serverErrors`, `maintenance`, …). */
export interface OptionsSpec<Shape extends z.core.$ZodShape> {
  /** The factory's name, as the user wrote it: `"serverErrors"`. */
  readonly name: string;
  /**
   * Builds the strict object schema of the options, on the first check: a
   * process that imports the package but never calls a factory builds none
   * (building every schema at import was most of the package's start-up).
   */
  readonly schema: () => z.ZodMiniObject<Shape, z.core.$strict>;
  /** What each option must be, in words, by path (array indexes as `[]`, tuple positions as `[0]`). */
  readonly expected: Readonly<Record<string, string>>;
  /** The paths where a number is the right type, so a wrong number is out of range (a RangeError). */
  readonly numeric?: ReadonlySet<string>;
  /** Extra help for one received value, such as a class passed where an instance is needed. */
  readonly hint?: (received: unknown, path: string) => string | undefined;
  /**
   * Whether `null` reads as no options, as it always has for the factories
   * (`serverErrors(null)`); the client's functions refuse it. Defaults to `true`.
   */
  readonly nullIsNone?: boolean;
}

/** The options' shape that an {@link OptionsSpec}'s `schema` builds. */
export type ShapeOf<Build extends () => z.ZodMiniObject> = ReturnType<Build>['shape'];

/** A schema of a value of any function type. */
export const anyFunction = () =>
  z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function');

/** The `detail` option of the guards: the problem's public explanation. */
export const detailOption = () => z.optional(z.string().check(z.minLength(1)));
export const DETAIL_EXPECTED = 'a non-empty string';

/** A `retryAfter` option in seconds, sent as delay-seconds. */
export const retryAfterSeconds = () => z.optional(z.number().check(z.gte(0), z.lte(Number.MAX_SAFE_INTEGER)));
export const RETRY_AFTER_EXPECTED = 'a non-negative, finite number of seconds';

/** Whether a value is a request, as `app.use(factory)` without the call hands one to the factory. */
export function isRequest(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    'method' in value &&
    'headers' in value &&
    ('socket' in value || 'url' in value)
  );
}

function at(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  return value;
}

const schemas = new WeakMap<object, z.ZodMiniObject>();

/** The schema of `spec`, built on the first call and kept. */
export function schemaOf<Shape extends z.core.$ZodShape>(
  spec: OptionsSpec<Shape>,
): z.ZodMiniObject<Shape, z.core.$strict> {
  let schema = schemas.get(spec) as z.ZodMiniObject<Shape, z.core.$strict> | undefined;
  if (schema === undefined) {
    schema = spec.schema();
    schemas.set(spec, schema);
  }
  return schema;
}

/**
 * Checks a factory's options once, at start-up, and throws a `TypeError` or
 * `RangeError` that names the option, shows what it received and says what it
 * expected; an unknown option gets a "did you mean". `app.use(factory)` without
 * the call is recognised by the request it receives, and explained.
 */
export function validateOptions<Shape extends z.core.$ZodShape>(
  spec: OptionsSpec<Shape>,
  input: unknown,
): z.infer<z.ZodMiniObject<Shape, z.core.$strict>> {
  if (isRequest(input)) {
    throw usageError(
      TypeError,
      'ERR_SERVER_ERRORS_NOT_CALLED',
      `${spec.name} received a request instead of options: it looks like you wrote app.use(${spec.name}). ` +
        `Call it to get the middleware: app.use(${spec.name}()).`,
    );
  }
  const schema = schemaOf(spec);
  const result = schema.safeParse(
    input === undefined || (input === null && spec.nullIsNone !== false) ? {} : input,
  );
  if (result.success) return result.data;
  const known = Object.keys(schema.shape);
  const errors = result.error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const hint = didYouMean(key, known);
        return usageError(
          TypeError,
          'ERR_SERVER_ERRORS_UNKNOWN_OPTION',
          `${spec.name}(): unknown option "${key}".${hint ? ` Did you mean "${hint}"?` : ''} ${known.length ? `Known options: ${known.join(', ')}.` : 'It takes no options.'}`,
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
    // A Date refused by a schema is an invalid one: a value out of range, like NaN.
    const outOfRange =
      received instanceof Date || (typeof received === 'number' && (spec.numeric?.has(pattern) ?? false));
    const hint = spec.hint?.(received, pattern);
    const subject = name === '' ? 'the options' : `option "${name}"`;
    return [
      usageError(
        outOfRange ? RangeError : TypeError,
        name === '' ? 'ERR_SERVER_ERRORS_INVALID_OPTIONS' : 'ERR_SERVER_ERRORS_INVALID_OPTION',
        `${spec.name}(): ${subject} must be ${spec.expected[pattern] ?? (pattern === '' ? 'an options object' : 'valid')}; received ${showValue(received)}.${hint ? ` ${hint}` : ''}`,
      ),
    ];
  });
  const [first] = errors;
  if (first === undefined) {
    throw usageError(TypeError, 'ERR_SERVER_ERRORS_INVALID_OPTIONS', `${spec.name}(): invalid options.`);
  }
  if (errors.length > 1) {
    first.message += `\nAlso:\n${errors
      .slice(1)
      .map((error) => `- ${error.message}`)
      .join('\n')}`;
  }
  throw first;
}
