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
// Each server runs with --trace-gc-nvp, and beside its peak the table gives its
// live heap: what its mark-compacts of the measured window left (the median).
// The peak follows the live heap, but in steps (bench/README.md), so the live
// heap is the figure that shows a change too small to move the peak.
//
// Settings: RSS_ONLY (comma-separated contender ids of contenders.mjs; the first
// is the baseline; default hand-written,server-errors,server-errors-quiet),
// RSS_HAND_WRITTEN (comma-separated variants of the hand-written handler, after
// RSS_ONLY's: ballast-<KB> with that much more live heap, logged with a
// console.error line an error; none by default), RSS_PROCESSES per
// contender (8), RSS_WARMUP seconds (2), RSS_DURATION seconds (3),
// RSS_CONNECTIONS (10, as run.mjs).
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { checkResponse } from './check.mjs';
import { startServer } from './child.mjs';
import { contenders, contendersNamed } from './contenders.mjs';
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
const handWritten = contenders.find((c) => c.id === 'hand-written');
const chosen = [
  ...contendersNamed('RSS_ONLY', 'hand-written,server-errors,server-errors-quiet'),
  ...(process.env.RSS_HAND_WRITTEN ?? '')
    .split(',')
    .filter(Boolean)
    .map((variant) => {
      const kb = /^ballast-([1-9]\d{0,4})$/.exec(variant)?.[1];
      if (kb === undefined && variant !== 'logged')
        throw new RangeError(
          `RSS_HAND_WRITTEN: ${JSON.stringify(variant)} is neither ballast-<KB> (1–99999) nor logged.`,
        );
      return {
        ...handWritten,
        id: `hand-written-${variant}`,
        label: kb === undefined ? 'hand-written, console.error a line' : `hand-written + ${kb} KB live`,
        variant,
      };
    }),
];
const machine = describeMachine();
const progress = (line) => process.stderr.write(`${line}\n`);

/**
 * One process's peak RSS (MB) over `settings.duration` seconds of load after its
 * warm-up, and its live heap (MB): the median of what the mark-compacts of that
 * window left, read from its --trace-gc-nvp lines.
 */
async function sample(contender) {
  const dir = mkdtempSync(join(tmpdir(), 'server-errors-peak-rss-'));
  const trace = join(dir, 'trace.txt');
  const fd = openSync(trace, 'w');
  try {
    const server = await startServer(contender.module, {
      variant: contender.variant,
      execArgv: ['--trace-gc-nvp'],
      stdout: fd,
    });
    let maxRSS;
    let marker;
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
      // Where the window starts in the trace. The server's stdout is a file, so a
      // few lines of the warm-up may still sit in its buffer and count as the window's.
      marker = statSync(trace).size;
      const figures = await run(settings.duration);
      if (figures.unexpected > 0)
        throw new Error(`${contender.id}: ${figures.unexpected} unexpected answers`);
      ({ maxRSS } = await server.ask('usage'));
    } finally {
      await server.stop();
    }
    return { peak: maxRSS / 1024, live: liveHeap(readFileSync(trace, 'utf8'), marker, contender) };
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The median of total_size_after (MB) over the mark-compacts (gc=mc) past `offset` in an nvp trace. */
function liveHeap(text, offset, contender) {
  const sizes = text
    .slice(offset)
    .split('\n')
    .filter((line) => /\bgc=mc\b/.test(line))
    .map((line) => Number(/\btotal_size_after=(\d+)/.exec(line)?.[1] ?? NaN) / 2 ** 20);
  if (sizes.length === 0 || !sizes.every(Number.isFinite))
    throw new Error(`${contender.id}: no mark-compact read from its --trace-gc-nvp lines`);
  return median(sizes);
}

const samples = new Map(chosen.map((c) => [c.id, []]));
for (let i = 1; i <= settings.processes; i++) {
  for (const contender of chosen) {
    const figures = await sample(contender);
    samples.get(contender.id).push(figures);
    progress(
      `process ${i}/${settings.processes} ${contender.id.padEnd(20)} ${figures.peak.toFixed(1)} MB peak, ${figures.live.toFixed(2)} MB live`,
    );
  }
}

const [baseline] = chosen;
const series = (c, key) => samples.get(c.id).map((figures) => figures[key]);
const fixed = (x) => x.toFixed(3);
const rows = chosen.map((c) => {
  const peaks = series(c, 'peak');
  const r = compare(peaks, series(baseline, 'peak'));
  const live = median(series(c, 'live'));
  return {
    c,
    r,
    cells: [
      c.label,
      median(peaks).toFixed(1),
      `${Math.min(...peaks).toFixed(1)}–${Math.max(...peaks).toFixed(1)}`,
      c === baseline ? '–' : `${fixed(r.value)}×`,
      c === baseline ? '–' : `${fixed(r.min)}–${fixed(r.max)}`,
      live.toFixed(2),
      c === baseline ? '–' : `${(live - median(series(baseline, 'live'))).toFixed(2)}`,
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
    { title: 'live heap MB (median)', right: true },
    { title: 'live heap added MB', right: true },
  ],
  rows.map((row) => row.cells),
);
// The hand-written variants calibrate the measure; the goal is the package's.
const goals = rows
  .filter(
    (row) => row.c !== baseline && baseline.id === 'hand-written' && row.c.module !== handWritten.module,
  )
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
