import { inspect } from '../util/inspect';

/**
 * A short, safe rendering of a value received from a user, for error messages:
 * JSON where JSON says it truly (`"abc"`, `{"a":1}`), `inspect` where it would
 * lie or fail (`NaN`, `Infinity`, dates, functions, cycles, BigInt).
 */
export function showValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'symbol') {
    return String(value);
  }
  if (typeof value === 'function') return value.name ? `[function ${value.name}]` : '[function]';
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? 'Invalid Date' : `Date(${value.toISOString()})`;
  }
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json.length > 200 ? `${json.slice(0, 200)}…` : json;
  } catch {
    // Cycles and BigInt members fall through to inspect.
  }
  try {
    return inspect(value, { depth: 1, breakLength: Infinity, maxStringLength: 200 });
  } catch {
    return '[unprintable value]';
  }
}
