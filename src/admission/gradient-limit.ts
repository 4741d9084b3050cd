/** A limit on requests in flight: fixed, or learnt from the latency it measures. */
export interface ConcurrencyLimit {
  /** How many requests may be in flight now. */
  readonly current: number;
  /**
   * A request finished after `rtt` ms of service (not of waiting), at `now`,
   * while `inFlight` requests (itself included) were in flight.
   */
  sample(rtt: number, inFlight: number, now: number): void;
}

/** A limit that never moves: the `maxInFlight` option. */
export function fixedLimit(limit: number): ConcurrencyLimit {
  return { current: limit, sample: () => undefined };
}

// Netflix's Gradient2Limit, with its defaults where they fit a Node server.
const INITIAL = 20;
const MIN = 2;
const MAX = 1000;
/** Latency up to this many times the long-term average is not yet a slowdown. */
const TOLERANCE = 1.5;
/** How far one window moves the limit towards its new estimate. */
const SMOOTHING = 0.2;
/** How far one window moves the long-term latency (about 20 windows of memory). */
const LONG_WEIGHT = 0.05;
/** A window lasts this long, and holds at least {@link WINDOW_SAMPLES} samples. */
const WINDOW_MS = 100;
const WINDOW_SAMPLES = 10;

/**
 * The gradient limit: every window compares the recent latency with the
 * long-term one; while requests are no slower than `TOLERANCE` times usual,
 * the limit grows by its square root (room to find more throughput); as they
 * slow down it shrinks in proportion, never below half in one step. It only
 * grows when the load uses at least half of it, so a quiet hour does not
 * leave it huge when a burst comes.
 *
 * @example
 * const limit = gradientLimit();
 * limit.sample(12, 8, performance.now());
 */
export function gradientLimit(): ConcurrencyLimit {
  let limit = INITIAL;
  let longRtt: number | undefined;
  let windowStart: number | undefined;
  let sum = 0;
  let samples = 0;
  let busiest = 0;

  function update(shortRtt: number, used: number): void {
    longRtt = longRtt === undefined ? shortRtt : longRtt + (shortRtt - longRtt) * LONG_WEIGHT;
    // After a long overload the long-term latency is too high to notice the
    // next one: let it come down faster once latency is back to normal.
    if (longRtt / shortRtt > 2) longRtt *= 0.95;
    if (used < limit / 2) return;
    const gradient = Math.max(0.5, Math.min(1, (TOLERANCE * longRtt) / shortRtt));
    const estimate = limit * gradient + Math.sqrt(limit);
    limit = Math.min(MAX, Math.max(MIN, limit * (1 - SMOOTHING) + estimate * SMOOTHING));
  }

  return {
    get current() {
      return Math.floor(limit);
    },
    sample(rtt, inFlight, now) {
      windowStart ??= now;
      sum += rtt;
      samples++;
      if (inFlight > busiest) busiest = inFlight;
      if (now - windowStart < WINDOW_MS || samples < WINDOW_SAMPLES) return;
      // A sub-millisecond mean is as good as one: no division by zero.
      update(Math.max(sum / samples, 0.001), busiest);
      windowStart = now;
      sum = 0;
      samples = 0;
      busiest = 0;
    },
  };
}
