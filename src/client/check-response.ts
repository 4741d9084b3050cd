import { showValue } from '../misuse/show-value';
import { usageError } from '../misuse/usage-error';

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
