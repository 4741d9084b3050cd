// Peak RSS of the error path, a fresh server process for each sample:
// `node bench/peak-rss.mjs` (after `npm run build` and `npm --prefix bench ci`).
// run.mjs reads each contender's peak from one process over all its rounds, and
// a process's RSS hardly shrinks once V8's heap has grown: its rounds repeat one
// process's history, so they are one sample. Two builds of the same code came
// 16 % apart that way (2026-12-04: `serverErrors({ log: false })` 98.3 MB against
// 117.7 MB, `serverErrors()` 115.7 against 104.5). Here each sample is a process
// of its own: start, warm up, reset the peak, load, read the peak, stop, with
// the contenders interleaved so that a slow patch of the machine hits all of them.
//
// Settings: RSS_ONLY (comma-separated contender ids of contenders.mjs; the first
// is the baseline; default hand-written,server-errors,server-errors-quiet),
// RSS_PROCESSES per contender (8), RSS_WARMUP seconds (2), RSS_DURATION seconds (3),
// RSS_CONNECTIONS (10, as run.mjs).
import { writeFileSync } from 'node:fs';

import { checkResponse } from './check.mjs';
import { startServer } from './child.mjs';
import { contendersNamed } from './contenders.mjs';
import { positiveInt } from './env.mjs';
import { load } from './load.mjs';
import { describeMachine, machineLine } from './machine.mjs';
import { RSS_CEILING } from './report.mjs';
import { compare, median } from './stats.mjs';
import { markdownTable } from './table.mjs';

const settings = {
  processes: positiveInt('RSS_PROCESSES', 8),
  warmup: positiveInt('RSS_WARMUP', 2),
  duration: positiveInt('RSS_DURATION', 3),
  connections: positiveInt('RSS_CONNECTIONS', 10),
};
const chosen = contendersNamed('RSS_ONLY', 'hand-written,server-errors,server-errors-quiet');
const machine = describeMachine();
const progress = (line) => process.stderr.write(`${line}\n`);

/** One process's peak RSS (MB) over `settings.duration` seconds of load after its warm-up. */
async function sample(contender) {
  const server = await startServer(contender.module, { variant: contender.variant });
  try {
    const seen = await checkResponse(server.port, contender);
    if (seen.wrong) throw new Error(`${contender.id}: ${seen.wrong}`);
    const run = (duration) =>
      load({
        port: server.port,
        path: contender.path,
        connections: settings.connections,
        duration,
        status: contender.expect.status,
      });
    await run(settings.warmup);
    const { reset } = await server.ask('reset-peak');
    if (!reset) throw new Error('bench/peak-rss.mjs needs Linux: /proc/self/clear_refs refused the reset');
    const figures = await run(settings.duration);
    if (figures.unexpected > 0) throw new Error(`${contender.id}: ${figures.unexpected} unexpected answers`);
    const { maxRSS } = await server.ask('usage');
    return maxRSS / 1024;
  } finally {
    await server.stop();
  }
}

const peaks = new Map(chosen.map((c) => [c.id, []]));
for (let i = 1; i <= settings.processes; i++) {
  for (const contender of chosen) {
    const peak = await sample(contender);
    peaks.get(contender.id).push(peak);
    progress(`process ${i}/${settings.processes} ${contender.id.padEnd(20)} ${peak.toFixed(1)} MB peak`);
  }
}

const [baseline] = chosen;
const base = peaks.get(baseline.id);
const fixed = (x) => x.toFixed(3);
const rows = chosen.map((c) => {
  const values = peaks.get(c.id);
  const r = compare(values, base);
  return {
    c,
    r,
    cells: [
      c.label,
      median(values).toFixed(1),
      `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}`,
      c === baseline ? '–' : `${fixed(r.value)}×`,
      c === baseline ? '–' : `${fixed(r.min)}–${fixed(r.max)}`,
    ],
  };
});
const table = markdownTable(
  [
    { title: 'Contender' },
    { title: 'peak RSS MB (median)', right: true },
    { title: 'range', right: true },
    { title: 'ratio', right: true },
    { title: 'process by process', right: true },
  ],
  rows.map((row) => row.cells),
);
const goals = rows
  .filter((row) => row.c !== baseline && baseline.id === 'hand-written')
  .map(
    ({ c, r }) =>
      `- ${r.value <= RSS_CEILING ? 'PASS' : 'FAIL'} ${c.label} peak RSS vs ${baseline.label}: ${fixed(r.value)}× (goal ≤ ${RSS_CEILING}×; process by process ${fixed(r.min)}–${fixed(r.max)})`,
  );
const markdown = [
  '# Peak RSS of the error path, a process per sample',
  '',
  machineLine(machine),
  '',
  `${settings.processes} processes per contender, interleaved; each: ${settings.warmup} s of warm-up at \`${baseline.path}\`, its peak reset (\`/proc/self/clear_refs\`), ${settings.duration} s of load over ${settings.connections} connections, then its \`maxRSS\`. Ratios: median over median against ${baseline.label}; "process by process" pairs the i-th process of each.`,
  '',
  table,
  ...(goals.length ? ['', '## Goal', '', ...goals] : []),
  '',
].join('\n');
writeFileSync(new URL('./results/peak-rss.md', import.meta.url), markdown);
process.stdout.write(markdown);
