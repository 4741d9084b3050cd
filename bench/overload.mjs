// The overload benchmark: `node bench/overload.mjs` (after `npm run build && npm --prefix bench ci`).
// Open loop: each contender meets a constant arrival rate, a multiple of its
// family's capacity C, whatever it answers; see bench/README.md, "Overload".
// Settings: OVERLOAD_DURATION (10 s per rate), OVERLOAD_STEP_SECONDS (10 s per
// step phase), OVERLOAD_REPS (3), OVERLOAD_ONLY (contender ids), OVERLOAD_RATES
// (multipliers of C, "0.5,1,1.5,2,3"), OVERLOAD_PIN ("0:1", or "off").
import { mkdirSync, writeFileSync } from 'node:fs';

import { startServer } from './child.mjs';
import { positiveInt } from './env.mjs';
import { describeMachine } from './machine.mjs';
import { contenders, families } from './overload/contenders.mjs';
import { bucketsOf, figuresOf } from './overload/figures.mjs';
import { checkWork, measureCapacity, measureRun, settle, TIMEOUT_MS } from './overload/measure.mjs';
import { openLoop } from './overload/open-loop.mjs';
import { overloadReport } from './overload/report.mjs';
import { summarise } from './overload/summary.mjs';
import { pin, pinning } from './pin.mjs';

const WARMUP_SECONDS = 3;
const settings = readSettings();
const progress = (line) => process.stderr.write(`${line}\n`);

function readSettings() {
  const duration = positiveInt('OVERLOAD_DURATION', 10);
  const step = positiveInt('OVERLOAD_STEP_SECONDS', 10);
  const multipliers = (process.env.OVERLOAD_RATES || '0.5,1,1.5,2,3').split(',').map(Number);
  if (multipliers.some((m) => !(m > 0 && m <= 10)))
    throw new RangeError(
      `OVERLOAD_RATES: multipliers of C from 0 to 10, such as "0.5,3"; received "${process.env.OVERLOAD_RATES}"`,
    );
  const only = process.env.OVERLOAD_ONLY?.split(',').filter(Boolean);
  const unknown = only?.filter((id) => !contenders.some((c) => c.id === id)) ?? [];
  if (unknown.length)
    throw new Error(
      `OVERLOAD_ONLY: unknown ${unknown.join(', ')}; known: ${contenders.map((c) => c.id).join(', ')}`,
    );
  return {
    duration,
    step,
    stepText: `0.5C for ${step} s → 3C for ${step} s → 0.5C for ${step} s`,
    reps: positiveInt('OVERLOAD_REPS', 3),
    multipliers,
    // The order of the list, whatever the order of OVERLOAD_ONLY: A B C D E in every rep.
    ids: contenders.filter((c) => !only || only.includes(c.id)).map((c) => c.id),
    pin: pinning('OVERLOAD_PIN', '0:1'),
    warmup: WARMUP_SECONDS,
  };
}

/** The scenarios of one rep, in order: each rate, then the step. */
function scenarios() {
  const rates = settings.multipliers.map((m) => ({
    scenario: 'rate',
    multiplier: m,
    name: `${m}C`,
    phases: (c) => [{ rate: m * c, seconds: settings.duration }],
  }));
  const step = {
    scenario: 'step',
    name: 'step',
    phases: (c) => [
      { rate: 0.5 * c, seconds: settings.step },
      { rate: 3 * c, seconds: settings.step },
      { rate: 0.5 * c, seconds: settings.step },
    ],
  };
  return [...rates, step];
}

// Null, not undefined, when pinning is off: child.mjs would fall back to BENCH_PIN.
const serverCores = () => settings.pin?.server ?? null;

async function start(module, variant) {
  const server = await startServer(module, { variant, cores: serverCores() });
  try {
    await checkWork(server.port);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** C per family that a selected contender belongs to, each on a server of its own, stopped after. */
async function capacities(selected) {
  const out = {};
  for (const family of new Set(selected.map((c) => c.family))) {
    const { label, module, variant } = families[family];
    let server;
    try {
      server = await start(module, variant);
      out[family] = { family, label, ...(await measureCapacity(server)) };
      progress(
        `capacity ${family}: C = ${Math.round(out[family].rps)} req/s (p99 ${out[family].p99.toFixed(2)} ms)`,
      );
    } catch (error) {
      // Its contenders cannot be given rates: each is reported WRONG, the other family still runs.
      out[family] = { family, label, rps: NaN, error: String(error.message).split('\n')[0] };
      progress(`capacity ${family}: not measured: ${out[family].error}`);
    } finally {
      await server?.stop();
    }
  }
  return out;
}

/** One run's record: the figures of the whole run, and for the step its time series and first phase. */
function record(rep, scenario, phases, measured, c) {
  const seconds = phases.reduce((sum, p) => sum + p.seconds, 0);
  const { result } = measured;
  const figures = figuresOf(result, { seconds, capacity: c });
  const run = {
    rep,
    scenario: scenario.scenario,
    multiplier: scenario.multiplier,
    phases,
    offered: figures.sent / seconds,
    ...figures,
    cpu: measured.cpu,
    cpuLoad: measured.cpuLoad,
    cpuPerSent: measured.cpu / figures.sent,
    busyAfterMs: measured.busyAfterMs,
    drained: measured.drained,
    otherCores: measured.otherCores,
    listenDropped: measured.listenDropped,
  };
  if (scenario.scenario === 'step') {
    run.buckets = bucketsOf(result, { phases, capacity: c });
    const firstEnd = phases[0].seconds * 1000;
    const first = [...Array(result.count).keys()].filter((i) => result.at[i] < firstEnd);
    run.firstPhase = figuresOf(result, { seconds: phases[0].seconds, capacity: c, indexes: first });
  }
  return run;
}

function progressLine(entry, rep, scenario, run) {
  const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '–');
  progress(
    `rep ${rep}/${settings.reps} ${scenario.name.padEnd(5)} ${entry.id.padEnd(22)} sent ${run.sent} 200 ${run.ok} ` +
      `503 ${run.shed} other ${run.other} err ${run.errors} timeouts ${run.timeouts} goodput ${f(run.goodput, 3)} C ` +
      `p99 200 ${f(run.okP99)} ms 503 ${f(run.shedP99)} ms busy after ${f(run.busyAfterMs / 1000)} s ` +
      `listen drops ${run.listenDropped} lag p99 ${f(run.lagP99)} ms others ${f(run.otherCores, 2)} cores`,
  );
}

function plannedSeconds(count) {
  const perRep = settings.multipliers.length * (settings.duration + 2) + 3 * settings.step + 2;
  // + 1 s of idle after each run, + the capacities and warm-ups; backlogs of unshed servers come on top.
  return count * (settings.reps * (perRep + scenarios().length) + WARMUP_SECONDS + 2) + 8;
}

// Before pinning: availableParallelism() follows the affinity mask, and would count one core.
const machine = describeMachine();
if (settings.pin && !pin(process.pid, settings.pin.generator))
  throw new Error(`OVERLOAD_PIN: taskset could not pin the generator to core ${settings.pin.generator}`);
const selected = contenders.filter((c) => settings.ids.includes(c.id));
const entries = selected.map((c) => ({ ...c, runs: [] }));
progress(
  `overload: ${selected.length} contenders, about ${Math.ceil(plannedSeconds(selected.length) / 60)} min or more`,
);

const capacity = await capacities(selected);
try {
  for (const entry of entries) {
    if (capacity[entry.family].error) {
      entry.wrong = `no capacity for ${entry.family}: ${capacity[entry.family].error}`;
      progress(`WRONG ${entry.id}: ${entry.wrong}`);
      continue;
    }
    try {
      entry.server = await start(entry.module, entry.variant);
    } catch (error) {
      entry.wrong = `did not start: ${String(error.message).split('\n')[0]}`;
      progress(`WRONG ${entry.id}: ${entry.wrong}`);
      continue;
    }
    try {
      const c = capacity[entry.family].rps;
      // Warm-up: the JIT, the pools, an adaptive limit's first estimate; not counted.
      await openLoop({
        port: entry.server.port,
        path: '/work',
        phases: [{ rate: 0.5 * c, seconds: WARMUP_SECONDS }],
        timeoutMs: TIMEOUT_MS,
      });
      await settle(entry.server);
    } catch (error) {
      entry.wrong = `warm-up: ${String(error.message).split('\n')[0]}`;
      progress(`WRONG ${entry.id}: ${entry.wrong}`);
    }
  }
  // Rep by rep, scenario by scenario, each contender in turn: a slow patch of a
  // shared machine hits every contender of one scenario, not every run of one.
  for (let rep = 1; rep <= settings.reps; rep++) {
    for (const scenario of scenarios()) {
      for (const entry of entries.filter((e) => !e.wrong)) {
        const c = capacity[entry.family].rps;
        const phases = scenario.phases(c);
        try {
          const measured = await measureRun(entry.server, { phases, capacity: c });
          const run = record(rep, scenario, phases, measured, c);
          entry.runs.push(run);
          progressLine(entry, rep, scenario, run);
        } catch (error) {
          // A server that died under load: reported, and left out from then on.
          entry.wrong = `rep ${rep}, ${scenario.name}: ${String(error.message).split('\n')[0]}`;
          progress(`WRONG ${entry.id}: ${entry.wrong}`);
        }
      }
    }
  }
} finally {
  await Promise.all(entries.map((entry) => entry.server?.stop()));
}

const summary = summarise(entries, { multipliers: settings.multipliers, capacity });
const markdown = overloadReport({ machine, settings, capacity, entries, summary });
const results = new URL('./results/', import.meta.url);
mkdirSync(results, { recursive: true });
writeFileSync(new URL('overload.md', results), markdown);
writeFileSync(
  new URL('overload.json', results),
  `${JSON.stringify(
    {
      machine,
      settings,
      capacity,
      summary,
      wrong: Object.fromEntries(entries.filter((e) => e.wrong).map((e) => [e.id, e.wrong])),
      runs: Object.fromEntries(entries.map((e) => [e.id, e.runs])),
    },
    (_key, value) => (value === Infinity ? 'never' : value),
    2,
  )}\n`,
);
process.stdout.write(markdown);
