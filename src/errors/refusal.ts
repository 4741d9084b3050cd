const refusals = new WeakSet<object>();

/**
 * Marks an error as a guard's deliberate refusal (maintenance, load shedding, a
 * captive portal, an unknown method or version, a loop): `serverErrors()`
 * answers it like any other, but does not log it as a failure. Under load
 * shedding a stack trace per refused request would make the overload worse.
 */
export function refusal<E extends object>(error: E): E {
  refusals.add(error);
  return error;
}

/** Whether an error was marked by {@link refusal}; reads nothing of it. */
export function isRefusal(value: unknown): boolean {
  return typeof value === 'object' && value !== null && refusals.has(value);
}
