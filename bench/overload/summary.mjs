import { median } from '../stats.mjs';
import { medianOrNever, recovery } from './figures.mjs';

// The per-run figures a table shows, each a median over the reps.
const FIGURES = [
  'offered',
  'sent',
  'ok',
  'shed',
  'other',
  'errors',
  'timeouts',
  'goodput',
  'shedShare',
  'okP50',
  'okP99',
  'shedP50',
  'shedP99',
  'cpuPerSent',
  'busyAfterMs',
  'lagP99',
  'lagMax',
  'otherCores',
  'listenDropped',
];
const BUCKET_FIGURES = ['offered', 'sent', 'good', 'goodput', 'shed', 'timeouts', 'okP99'];

const medianOf = (rows, key) => median(rows.map((row) => row[key]));

/** Every figure of the rate runs, as the medians over the reps, plus the strictest counts. */
function rateSummary(runs) {
  const out = Object.fromEntries(FIGURES.map((key) => [key, medianOf(runs, key)]));
  out.reps = runs.length;
  // "No 503 at all", "no timeouts": the goals say none, so they are read over every rep, not the median.
  out.shedTotal = runs.reduce((sum, run) => sum + run.shed, 0);
  out.timeoutTotal = runs.reduce((sum, run) => sum + run.timeouts, 0);
  out.drained = runs.every((run) => run.drained);
  return out;
}

/**
 * CPU per 503 over CPU per 200: per 200 from the lowest rate (0.5C, where all
 * is served and nothing refused), per 503 from the highest (3C), charging the
 * 200s there at the lowest rate's price and the rest to the 503s. Rep by rep,
 * then the median. A served request costs less on a saturated server than on
 * one that idles between requests (no wake-up per request), so the same
 * estimate is also made with the price per answer at 1C (`atCapacity`).
 */
function cpuRatio(rateRuns, lowest, highest) {
  const estimate = (priced) =>
    (priced ?? []).map((run) => {
      const per200 = run.cpu / (run.ok + run.shed + run.other);
      const top = (rateRuns.get(highest) ?? []).find((h) => h.rep === run.rep);
      const per503 = top && top.shed > 0 ? (top.cpu - top.ok * per200) / top.shed : NaN;
      return { rep: run.rep, per200, per503, ratio: per503 / per200 };
    });
  const sum = (reps) => ({
    per200: medianOf(reps, 'per200'),
    per503: medianOf(reps, 'per503'),
    ratio: medianOf(reps, 'ratio'),
    reps,
  });
  const atCapacity = rateRuns.has(1) && highest !== 1 ? sum(estimate(rateRuns.get(1))) : undefined;
  return { lowest, highest, ...sum(estimate(rateRuns.get(lowest))), atCapacity };
}

/** The step's time series (the median of each bucket over the reps) and each rep's recoveries. */
function stepSummary(stepRuns, { capacity, unloadedP99 }) {
  if (stepRuns.length === 0) return undefined;
  const { phases } = stepRuns[0];
  const reps = stepRuns.map((run) => ({
    rep: run.rep,
    // The same measure for the first phase, which no step precedes: a control.
    control: recovery(run.buckets, { phases, index: 0, capacity, unloadedP99 }),
    up: recovery(run.buckets, { phases, index: 1, capacity, unloadedP99 }),
    down: recovery(run.buckets, { phases, index: 2, capacity, unloadedP99 }),
  }));
  const buckets = stepRuns[0].buckets.map((bucket, b) => {
    const row = { start: bucket.start };
    for (const key of BUCKET_FIGURES) row[key] = median(stepRuns.map((run) => run.buckets[b][key]));
    return row;
  });
  return {
    phases,
    buckets,
    reps,
    control: medianOrNever(reps.map((r) => r.control.ms)),
    up: medianOrNever(reps.map((r) => r.up.ms)),
    down: medianOrNever(reps.map((r) => r.down.ms)),
    lapses: {
      control: median(reps.map((r) => r.control.lapses)),
      up: median(reps.map((r) => r.up.lapses)),
      down: median(reps.map((r) => r.down.lapses)),
    },
    figures: rateSummary(stepRuns),
  };
}

/**
 * Per contender: the medians at each rate, its unloaded p99 (the 200s' p99 at
 * the lowest rate, normally 0.5C; without a rate run, the step's first phase),
 * the CPU ratio and the step.
 */
export function summarise(entries, { multipliers, capacity }) {
  const lowest = Math.min(...multipliers);
  const highest = Math.max(...multipliers);
  return Object.fromEntries(
    entries
      .filter((entry) => entry.runs.length > 0)
      .map((entry) => {
        const rateRuns = new Map(
          multipliers.map((m) => [m, entry.runs.filter((r) => r.scenario === 'rate' && r.multiplier === m)]),
        );
        const rates = Object.fromEntries(
          [...rateRuns].filter(([, runs]) => runs.length > 0).map(([m, runs]) => [m, rateSummary(runs)]),
        );
        const stepRuns = entry.runs.filter((r) => r.scenario === 'step');
        const unloadedP99 =
          rates[lowest]?.okP99 ?? median(stepRuns.map((run) => run.firstPhase?.okP99 ?? NaN));
        const c = capacity[entry.family].rps;
        return [
          entry.id,
          {
            unloadedP99,
            unloadedFrom: rates[lowest] ? `${lowest}C` : 'the step’s first phase',
            rates,
            cpu: cpuRatio(rateRuns, lowest, highest),
            step: stepSummary(stepRuns, { capacity: c, unloadedP99 }),
          },
        ];
      }),
  );
}

/**
 * The goals of the issue, for one contender's summary: each { goal, value,
 * pass } where pass is undefined when the run did not measure it.
 */
export function goalsOf(s) {
  const at = (m) => s.rates[m];
  const lines = [];
  const add = (goal, measured, value, pass) =>
    lines.push(measured ? { goal, value, pass } : { goal, value: 'not measured', pass: undefined });
  const p = (x) => `${(x * 100).toFixed(1)}%`;
  const ms = (x) => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : '–');

  add('0.5C: no 503 at all (every rep)', at(0.5), `${at(0.5)?.shedTotal} 503s`, at(0.5)?.shedTotal === 0);
  add('1C: goodput ≥ 0.95 C', at(1), `${at(1)?.goodput.toFixed(3)} C`, at(1)?.goodput >= 0.95);
  add('1C: 503s ≤ 3%', at(1), at(1) && p(at(1).shedShare), at(1)?.shedShare <= 0.03);
  for (const m of [1.5, 2, 3]) {
    const r = at(m);
    add(`${m}C: goodput ≥ 0.9 C`, r, `${r?.goodput.toFixed(3)} C`, r?.goodput >= 0.9);
    add(
      `${m}C: p99 of the 200s ≤ 2× unloaded p99`,
      r && Number.isFinite(s.unloadedP99),
      `${ms(r?.okP99)} (2× unloaded: ${ms(2 * s.unloadedP99)})`,
      r?.okP99 <= 2 * s.unloadedP99,
    );
    add(`${m}C: no client timeouts (every rep)`, r, `${r?.timeoutTotal} timeouts`, r?.timeoutTotal === 0);
    // No 503 at all: nothing to be slow; the goodput line says whether that was right.
    add(
      `${m}C: p99 of the 503s ≤ 10 ms`,
      r,
      r?.shed > 0 ? ms(r.shedP99) : 'no 503s',
      !(r?.shed > 0) || r.shedP99 <= 10,
    );
  }
  const recovered = (x) => (x === Infinity ? 'not within the phase' : `${Math.round(x)} ms`);
  add('step up: back within 1 s', s.step, s.step && recovered(s.step.up), s.step?.up <= 1000);
  add('step down: back within 1 s', s.step, s.step && recovered(s.step.down), s.step?.down <= 1000);
  return lines;
}
