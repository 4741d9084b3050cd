import { didYouMean } from '../misuse/did-you-mean';
import { showValue } from '../misuse/show-value';
import { usageError } from '../misuse/usage-error';

/** One option: what it must be, in words, and the check of a value that has the right type. */
export interface OptionRule {
  readonly type: 'number' | 'string';
  /** For the message, after "must be": "a number of milliseconds from 0 to …". */
  readonly expected: string;
  /** Whether a value of the right type is in range. Defaults to any value. */
  readonly inRange?: (value: never) => boolean;
}

/**
 * Checks the options of one of the client's functions when it is called, as
 * the factories check theirs: a `TypeError` for an unknown option (with a
 * "did you mean") or a wrong type, a `RangeError` for a number out of range,
 * each naming the option and showing what it received.
 */
export function checkOptions(
  name: string,
  options: unknown,
  rules: Readonly<Record<string, OptionRule>>,
): Readonly<Record<string, unknown>> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw usageError(
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTIONS',
      `${name}(): the options must be an object; received ${showValue(options)}.`,
    );
  }
  const known = Object.keys(rules);
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (known.includes(key)) continue;
    const hint = didYouMean(key, known);
    throw usageError(
      TypeError,
      'ERR_SERVER_ERRORS_UNKNOWN_OPTION',
      `${name}(): unknown option "${key}".${hint ? ` Did you mean "${hint}"?` : ''} Known options: ${known.join(', ')}.`,
    );
  }
  for (const key of known) {
    const value = given[key];
    const rule = rules[key] as OptionRule;
    if (value === undefined) continue;
    const typed = typeof value === rule.type;
    if (typed && (rule.inRange?.(value as never) ?? true)) continue;
    throw usageError(
      typed ? RangeError : TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      `${name}(): option "${key}" must be ${rule.expected}; received ${showValue(value)}.`,
    );
  }
  return given;
}

/** Refuses what is not a fetch `Response` (or one of the same shape, as node-fetch's), naming the function. */
export function checkResponse(name: string, value: unknown): asserts value is Response {
  if (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Response).status === 'number' &&
    typeof (value as Response).headers?.get === 'function'
  ) {
    return;
  }
  throw usageError(
    TypeError,
    'ERR_SERVER_ERRORS_INVALID_OPTIONS',
    `${name}(): the first argument must be a fetch Response; received ${showValue(value)}.`,
  );
}
