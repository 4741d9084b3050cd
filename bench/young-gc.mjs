// What the young-generation collector does per request on the success path:
// `node bench/young-gc.mjs` (after `npm run build`). Each server runs natively
// with `--trace-gc-nvp`, which prints one line per collection with the bytes it
// promoted to the old generation and its time. Bytes promoted per request are
// the objects of a request that outlived their first collection: a request
// whose objects stay reachable after its answer (a WeakMap value that leads
// back to its key is one way) pays for copying them twice and then for the old
// generation's collections. Bytes hardly depend on what else the machine runs;
// the collector's milliseconds do, so read those as a second opinion.
//
// Settings: YOUNG_GC_ONLY (comma-separated contender ids of contenders.mjs; the
// first is the baseline; default ok-with,ok-timeout,ok-guarded-one),
// YOUNG_GC_ROUNDS (3), YOUNG_GC_REQUESTS (20000, over one keep-alive connection).
// BENCH_BASELINE=<a checkout with dist/ built> adds that build's baseline-ok-with,
// baseline-ok-timeout and baseline-ok-guarded-one, as for instructions.mjs.
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startServer } from './child.mjs';
import { contendersNamed } from './contenders.mjs';
import { positiveInt } from './env.mjs';
import { load } from './load.mjs';
import { baselineLines, describeMachine, machineLine } from './machine.mjs';
import { compare, median } from './stats.mjs';
import { markdownTable } from './table.mjs';

const settings = {
  rounds: positiveInt('YOUNG_GC_ROUNDS', 3),
  requests: positiveInt('YOUNG_GC_REQUESTS', 20000),
};
const chosen = contendersNamed('YOUNG_GC_ONLY', 'ok-with,ok-timeout,ok-guarded-one');
const machine = describeMachine();
// One thread for the collector, so that its milliseconds are its work, not its helpers' waiting.
const NODE_FLAGS = ['--trace-gc-nvp', '--single-threaded'];

/** The young collections' totals over one server's whole life, per request. */
async function measure(contender) {
  const dir = mkdtempSync(join(tmpdir(), 'server-errors-young-gc-'));
  const file = join(dir, 'trace.txt');
  const fd = openSync(file, 'w');
  try {
    const server = await startServer(contender.module, {
      variant: contender.variant,
      execArgv: NODE_FLAGS,
      stdout: fd,
    });
    let result;
    try {
      result = await load({
        port: server.port,
        path: contender.path,
        connections: 1,
        amount: settings.requests,
        status: contender.expect.status,
      });
    } finally {
      await server.stop();
    }
    if (result.unexpected > 0)
      throw new Error(`${contender.id}: ${result.unexpected} answers were not ${contender.expect.status}`);
    const totals = { scavenges: 0, promoted: 0, ms: 0 };
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      // A young collection (a scavenge) is gc=s in the nvp trace.
      if (!/\bgc=s\b/.test(line)) continue;
      totals.scavenges++;
      totals.promoted += Number(/\bpromoted=(\d+)/.exec(line)?.[1] ?? NaN);
      totals.ms += Number(/\bscavenge=([\d.]+)/.exec(line)?.[1] ?? NaN);
    }
    if (totals.scavenges === 0 || !Number.isFinite(totals.promoted + totals.ms))
      throw new Error(`${contender.id}: no young collections read from ${file}`);
    return {
      promoted: totals.promoted / result.requests,
      ms: (totals.ms / result.requests) * 1000,
      scavenges: totals.scavenges,
    };
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

const measured = new Map(chosen.map((c) => [c.id, []]));
for (let round = 1; round <= settings.rounds; round++) {
  // Interleaved: each round measures every server once, one at a time, in the order given.
  for (const contender of chosen) {
    const value = await measure(contender);
    measured.get(contender.id).push(value);
    process.stderr.write(
      `round ${round}/${settings.rounds} ${contender.id.padEnd(24)} ${Math.round(value.promoted)} B promoted/request, ${value.ms.toFixed(1)} ms of scavenges/1000 requests, ${value.scavenges} scavenges\n`,
    );
  }
}

const [baseline] = chosen;
const series = (id, key) => measured.get(id).map((m) => m[key]);
const fixed = (x) => x.toFixed(2);
const ratio = (id, key) => {
  const r = compare(series(id, key), series(baseline.id, key));
  return `${fixed(r.value)}× (${fixed(r.min)}–${fixed(r.max)})`;
};
const table = markdownTable(
  [
    { title: 'Contender' },
    { title: 'bytes promoted/request', right: true },
    { title: 'ratio (round by round)', right: true },
    { title: 'ms of scavenges/1000 requests', right: true },
    { title: 'ratio (round by round)', right: true },
    { title: 'scavenges', right: true },
  ],
  chosen.map((c) => [
    c.label,
    Math.round(median(series(c.id, 'promoted'))).toLocaleString('en-US'),
    c === baseline ? '–' : ratio(c.id, 'promoted'),
    median(series(c.id, 'ms')).toFixed(1),
    c === baseline ? '–' : ratio(c.id, 'ms'),
    String(median(series(c.id, 'scavenges'))),
  ]),
);
const markdown = [
  '# Young-generation collections per request (success path)',
  '',
  machineLine(machine),
  '',
  ...baselineLines(),
  `${settings.rounds} rounds; in each, every server run once in its own process, one after another, for ${settings.requests} requests over one keep-alive connection, from start-up on. Node flags: \`${NODE_FLAGS.join(' ')}\`. Ratios: medians over medians against ${baseline.label}, with the range of each round's ratio.`,
  '',
  table,
  '',
].join('\n');
writeFileSync(new URL('./results/young-gc.md', import.meta.url), markdown);
process.stdout.write(markdown);
