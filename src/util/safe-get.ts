/**
 * Reads one property of a thrown value. Anything can be thrown, including
 * objects whose getters throw and Proxies that throw on every trap; the error
 * handler must survive them all, so a read that throws counts as absent.
 */
export function safeGet(value: unknown, key: PropertyKey): unknown {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) {
    return undefined;
  }
  try {
    return (value as Record<PropertyKey, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** `instanceof` that answers `false` instead of throwing (a Proxy's getPrototypeOf trap can throw). */
export function safeInstanceOf(
  value: unknown,
  constructor: abstract new (...args: never[]) => unknown,
): boolean {
  try {
    return value instanceof constructor;
  } catch {
    return false;
  }
}
