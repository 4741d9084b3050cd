/** An opossum circuit breaker, as far as {@link breakerRetryAfter} reads it. */
export interface CircuitBreakerLike {
  on(event: 'reject', listener: (error: unknown) => void): unknown;
  readonly options?: { readonly resetTimeout?: number };
  // A number at run time (opossum's own types say otherwise).
  toJSON(): { readonly state: { readonly lastTimerAt?: unknown } };
}

/**
 * Makes the errors an open opossum breaker rejects with (`EOPENBREAKER`) say
 * when the breaker half-opens, so `serverErrors()` answers its 503 with that
 * `Retry-After` (without it, the 503 has none: the error does not know). It
 * listens to the breaker's `reject` event, which opossum emits with the error
 * just before the call rejects, and returns the breaker.
 *
 * @example
 * const breaker = breakerRetryAfter(new CircuitBreaker(callPayments, { resetTimeout: 30_000 }));
 */
export function breakerRetryAfter<Breaker extends CircuitBreakerLike>(breaker: Breaker): Breaker {
  breaker.on('reject', (error) => {
    try {
      const resetTimeout = breaker.options?.resetTimeout;
      const { lastTimerAt } = breaker.toJSON().state;
      if (typeof resetTimeout !== 'number' || typeof lastTimerAt !== 'number') return;
      if (typeof error !== 'object' || error === null) return;
      // Rounded up: a client back early meets the breaker still open.
      const seconds = Math.ceil(Math.max(0, lastTimerAt + resetTimeout - Date.now()) / 1000);
      (error as { retryAfter?: number }).retryAfter = seconds;
    } catch {
      // A breaker that cannot say leaves the 503 without a Retry-After.
    }
  });
  return breaker;
}
