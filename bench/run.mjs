// The benchmark: `npm run bench` from the repository root (it builds first).
// Settings: BENCH_ROUNDS (5), BENCH_DURATION seconds per contender per round (3),
// BENCH_CONNECTIONS (10), BENCH_WARMUP seconds per contender before round 1 (2),
// BENCH_ONLY: comma-separated contender ids, to rerun a few in the order given.
import { mkdirSync, writeFileSync } from 'node:fs';

import { checkResponse } from './check.mjs';
import { startServer } from './child.mjs';
import { contenders } from './contenders.mjs';
import { watchContention } from './contention.mjs';
import { positiveInt } from './env.mjs';
import { load } from './load.mjs';
import { describeMachine } from './machine.mjs';
import { pin, pinning } from './pin.mjs';
import { benchReport, summarise } from './report.mjs';

const settings = {
  rounds: positiveInt('BENCH_ROUNDS', 5),
  duration: positiveInt('BENCH_DURATION', 3),
  connections: positiveInt('BENCH_CONNECTIONS', 10),
  warmup: positiveInt('BENCH_WARMUP', 2),
};
const only = process.env.BENCH_ONLY?.split(',').filter(Boolean);
const unknown = only?.filter((id) => !contenders.some((c) => c.id === id)) ?? [];
if (unknown.length)
  throw new Error(
    `BENCH_ONLY: unknown ${unknown.join(', ')}; known: ${contenders.map((c) => c.id).join(', ')}`,
  );
// Described before pinning, which would leave it counting the pinned cores only.
const machine = describeMachine();
const cores = pinning();
if (cores && !pin(process.pid, cores.generator))
  throw new Error(`BENCH_PIN: taskset could not pin the load generator to ${cores.generator}`);
const progress = (line) => process.stderr.write(`${line}\n`);

const entries = [];
try {
  for (const contender of only ? only.map((id) => contenders.find((c) => c.id === id)) : contenders) {
    const entry = { ...contender, rounds: [] };
    entries.push(entry);
    try {
      entry.server = await startServer(contender.module, { variant: contender.variant });
      const seen = await checkResponse(entry.server.port, contender);
      if (seen.wrong) entry.wrong = seen.wrong;
      else entry.response = seen;
    } catch (error) {
      entry.wrong = `did not start: ${String(error.message).split('\n')[0]}`;
    }
    if (entry.wrong) progress(`WRONG ${contender.id}: ${entry.wrong}`);
  }
  const timed = entries.filter((entry) => !entry.wrong);
  const loadOf = (entry, duration) =>
    load({
      port: entry.server.port,
      path: entry.path,
      connections: settings.connections,
      duration,
      status: entry.expect.status,
    });

  progress(`warming up ${timed.length} servers, ${settings.warmup} s each`);
  for (const entry of timed) await loadOf(entry, settings.warmup);

  // Round by round, each contender in turn: a slow patch of the machine hits
  // every contender in one round instead of all the rounds of one contender.
  for (let round = 1; round <= settings.rounds; round++) {
    for (const entry of timed) {
      const { reset } = await entry.server.ask('reset-peak');
      const before = await entry.server.ask('usage');
      const others = watchContention();
      const figures = await loadOf(entry, settings.duration);
      const after = await entry.server.ask('usage');
      const cpu = after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system;
      entry.rounds.push({
        ...figures,
        cpuPerRequest: cpu / figures.requests,
        otherCores: others(cpu),
        // KB: the round's own peak where the reset worked, else the peak since start.
        peakRss: after.maxRSS,
        peakReset: reset,
      });
      if (figures.unexpected > 0 && !entry.wrong) {
        entry.wrong = `round ${round}: ${figures.unexpected} of ${figures.requests} answers were not ${entry.expect.status} (${JSON.stringify(figures.statuses)})`;
      }
      progress(
        `round ${round}/${settings.rounds} ${entry.id.padEnd(20)} ${Math.round(figures.rps).toString().padStart(6)} req/s ` +
          `${(cpu / figures.requests).toFixed(1).padStart(6)} µs CPU/req ${(after.maxRSS / 1024).toFixed(1).padStart(6)} MB peak  ` +
          `others ${entry.rounds.at(-1).otherCores.toFixed(2)} cores`,
      );
    }
  }
} finally {
  await Promise.all(entries.map((entry) => entry.server?.stop()));
}

const summary = summarise(entries);
const markdown = benchReport({
  machine,
  settings,
  summary,
  contention: entries.flatMap((e) => e.rounds.map((r) => r.otherCores)),
});
const results = new URL('./results/', import.meta.url);
mkdirSync(results, { recursive: true });
writeFileSync(new URL('latest.md', results), markdown);
writeFileSync(
  new URL('latest.json', results),
  `${JSON.stringify({ machine, settings, summary, rounds: Object.fromEntries(entries.map((e) => [e.id, e.rounds])) }, null, 2)}\n`,
);
process.stdout.write(markdown);
