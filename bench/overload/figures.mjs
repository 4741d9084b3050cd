import { ERROR, TIMEOUT } from './open-loop.mjs';

/** A 200 answered later than this is served, but too late to count as goodput. */
export const GOOD_WITHIN_MS = 1000;
/** The width of one step of the step scenario's time series. */
export const BUCKET_MS = 500;

/** Nearest-rank percentile of a sorted array (as load.mjs computes it); NaN when empty. */
export function percentile(sorted, p) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/**
 * The median that keeps Infinity, which stands for "never" (a recovery that did
 * not come within its phase): stats.mjs's median drops it, which would turn
 * one rep that recovered into a recovery for all. NaN (not measured) is left out.
 */
export function medianOrNever(values) {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const sortedLatencies = (result, indexes, status) =>
  indexes
    .filter((i) => result.outcome[i] === status)
    .map((i) => result.latency[i])
    .sort((a, b) => a - b);

/**
 * What one run (or one bucket of it: `indexes`) comes to: counts by outcome,
 * goodput (200s within 1 s, per second, over the capacity), latency
 * percentiles of the 200s and of the 503s, and how late the generator sent.
 */
export function figuresOf(result, { seconds, capacity, indexes = range(result.count) }) {
  const statuses = {};
  let good = 0;
  for (const i of indexes) {
    const code = result.outcome[i];
    const key = code === TIMEOUT ? 'timeout' : code === ERROR ? 'error' : String(code);
    statuses[key] = (statuses[key] ?? 0) + 1;
    if (code === 200 && result.latency[i] <= GOOD_WITHIN_MS) good++;
  }
  const ok = sortedLatencies(result, indexes, 200);
  const shed = sortedLatencies(result, indexes, 503);
  const lag = indexes.map((i) => result.lag[i]).sort((a, b) => a - b);
  const sent = indexes.length;
  const known = (statuses['200'] ?? 0) + (statuses['503'] ?? 0) + (statuses.timeout ?? 0);
  return {
    sent,
    ok: ok.length,
    shed: shed.length,
    other: sent - known - (statuses.error ?? 0),
    errors: statuses.error ?? 0,
    timeouts: statuses.timeout ?? 0,
    statuses,
    good,
    goodput: good / seconds / capacity,
    shedShare: sent === 0 ? NaN : shed.length / sent,
    okP50: percentile(ok, 0.5),
    okP99: percentile(ok, 0.99),
    shedP50: percentile(shed, 0.5),
    shedP99: percentile(shed, 0.99),
    lagP99: percentile(lag, 0.99),
    lagMax: lag.at(-1) ?? NaN,
  };
}

function range(n) {
  return Array.from({ length: n }, (_, i) => i);
}

/**
 * The step scenario as a time series: every request in the bucket of its
 * *scheduled* time, so a bucket says how the requests offered then fared,
 * however late they were answered.
 */
export function bucketsOf(result, { phases, capacity }) {
  const total = phases.reduce((sum, phase) => sum + phase.seconds * 1000, 0);
  const members = Array.from({ length: Math.ceil(total / BUCKET_MS) }, () => []);
  for (let i = 0; i < result.count; i++) members[Math.floor(result.at[i] / BUCKET_MS)].push(i);
  return members.map((indexes, b) => {
    const start = b * BUCKET_MS;
    const figures = figuresOf(result, { seconds: BUCKET_MS / 1000, capacity, indexes });
    return {
      start,
      offered: phaseAt(phases, start).rate,
      sent: figures.sent,
      good: figures.good,
      goodput: figures.goodput,
      shed: figures.shed,
      timeouts: figures.timeouts,
      okP99: figures.okP99,
    };
  });
}

function phaseAt(phases, ms) {
  let end = 0;
  for (const phase of phases) {
    end += phase.seconds * 1000;
    if (ms < end) return phase;
  }
  return phases.at(-1);
}

/** Whether a bucket is back to normal: goodput near what can be served, latency near unloaded, no timeouts. */
export function bucketHealthy(bucket, { capacity, unloadedP99 }) {
  const perSecond = bucket.good / (BUCKET_MS / 1000);
  return (
    perSecond >= 0.9 * Math.min(bucket.offered, capacity) &&
    bucket.okP99 <= 2 * unloadedP99 &&
    bucket.timeouts === 0
  );
}

/**
 * How long a run of healthy buckets must last to count as back: one bucket of
 * 500 ms at 0.5C holds some 100 requests, so its p99 is nearly its slowest
 * request, and one stall of the host (a GC, a core taken) fails it. Requiring
 * every bucket to the end of the phase read those stalls, not the step: the
 * first phase, with no step before it, needed 2.5 to 9 s to "recover" for
 * every contender (2026-12-02). 1 s of health in a row, the goal's own span,
 * is a return; a later lapse is counted apart, beside the control's.
 */
export const SUSTAIN_MS = 1000;

/** The buckets of phase `index`. */
function bucketsOfPhase(buckets, phases, index) {
  const from = phases.slice(0, index).reduce((sum, phase) => sum + phase.seconds * 1000, 0);
  const to = from + phases[index].seconds * 1000;
  return { from, inPhase: buckets.filter((b) => b.start >= from && b.start < to) };
}

/**
 * Ms from the start of phase `index` to the first bucket that begins
 * {@link SUSTAIN_MS} of healthy buckets (or healthy buckets to the end of the
 * phase, when less than that is left), and how many buckets of the phase are
 * unhealthy after it (`lapses`). `ms` is Infinity when no such bucket exists.
 */
export function recovery(buckets, { phases, index, capacity, unloadedP99 }) {
  const { from, inPhase } = bucketsOfPhase(buckets, phases, index);
  const healthy = inPhase.map((b) => bucketHealthy(b, { capacity, unloadedP99 }));
  const sustain = Math.ceil(SUSTAIN_MS / BUCKET_MS);
  for (let first = 0; first < inPhase.length; first++) {
    const run = healthy.slice(first, first + sustain);
    if (run.every(Boolean)) {
      const lapses = healthy.slice(first).filter((h) => !h).length;
      return { ms: inPhase[first].start - from, lapses };
    }
  }
  return { ms: Infinity, lapses: 0 };
}
