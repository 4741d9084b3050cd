// Instructions per request on the success path, counted by valgrind's callgrind:
// `node bench/instructions.mjs` (after `npm run build`; needs valgrind). On a shared
// host whose CPU time strays by a third from one round to the next, a few percent
// cannot be told apart in seconds; a count of executed instructions for the same
// requests hardly depends on what else the machine runs (runs of one server came
// within 1.5 % of each other here). It counts instructions, not time: a cache
// miss or a slow syscall costs one instruction, so it is a proxy for CPU, not a measure of it.
//
// Settings: INSTR_ONLY (comma-separated contender ids of contenders.mjs; the first is
// the baseline; default ok-with,ok-layer,ok-layers,ok-timeout,ok-guarded,ok-guarded-one),
// INSTR_ROUNDS (3), INSTR_WARMUP requests before counting (8000), INSTR_REQUESTS
// counted (10000), INSTR_PARALLEL servers at a time (2: counts do not depend on the other).
// BENCH_BASELINE=<a checkout with dist/ built> adds its build's ok-with, ok-timeout and
// ok-guarded-one as baseline-ok-with and so on, for INSTR_ONLY to pick, so that one run compares two builds.
//
// The warm-up is long because the optimizing compiler is: run natively with
// --trace-opt, `ok-with` has made 101 optimized compiles after 2000 requests, 166
// after 4000, 176 after 10000 and 177 after 30000. Counted from request 2000 on,
// compiling was a quarter of the figure, and whether a change of the app moved it up
// or down by 5 % depended on which functions happened to be compiled in the window
// (one pass-through middleware came to 875 000 and 923 000 in two rounds). From 8000
// on, rounds of ok-with agree within 0.4 %, but ok-timeout still moved by 1.6 %
// between two rounds, and the harness itself counts: importing the package inside
// createHandler instead of at the top moved ok-guarded-one from 1.061× to 1.075×.
// Read differences under 2 % as noise.
//
// The counted window is long because of the old generation's collections:
// natively, with --trace-gc, `ok-with` ran a mark-compact every 3 300 requests
// or so (6 in 20 000, with 48 scavenges; Express's hidden classes of one
// request each are old-space garbage). A window of 3000 held none or one of
// them, and rounds of one server moved by up to 1.3 %; 10 000 hold three or four.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startServer } from './child.mjs';
import { contendersNamed } from './contenders.mjs';
import { positiveInt } from './env.mjs';
import { load } from './load.mjs';
import { baselineLines, describeMachine, machineLine } from './machine.mjs';
import { GUARDED_IDS, GUARDS_CEILING } from './report.mjs';
import { compare, median } from './stats.mjs';
import { markdownTable } from './table.mjs';

const settings = {
  rounds: positiveInt('INSTR_ROUNDS', 3),
  warmup: positiveInt('INSTR_WARMUP', 8000),
  requests: positiveInt('INSTR_REQUESTS', 10000),
  parallel: positiveInt('INSTR_PARALLEL', 2),
};
const chosen = contendersNamed(
  'INSTR_ONLY',
  'ok-with,ok-layer,ok-layers,ok-timeout,ok-guarded,ok-guarded-one',
);
try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
} catch {
  throw new Error('bench/instructions.mjs needs valgrind (Debian: apt-get install valgrind)');
}
const machine = describeMachine();
const progress = (line) => process.stderr.write(`${line}\n`);
// No GC or compiler threads, whose share of the work depends on timing, and fixed
// hash seeds, so that two runs of one server execute the same instructions.
const NODE_FLAGS = ['--single-threaded', '--hash-seed=1', '--random-seed=1'];

/** Instructions the server executed for `settings.requests` requests after its warm-up. */
async function count(contender) {
  const dir = mkdtempSync(join(tmpdir(), 'server-errors-instructions-'));
  const server = await startServer(contender.module, {
    variant: contender.variant,
    execPath: 'valgrind',
    execArgv: [
      '--tool=callgrind',
      // V8 writes the code it runs: valgrind must look for changed code everywhere but in files.
      '--smc-check=all-non-file',
      `--callgrind-out-file=${join(dir, 'callgrind.out')}`,
      process.execPath,
      ...NODE_FLAGS,
    ],
    // Its own pace under valgrind is about 80 requests a second: no core to pin to.
    cores: null,
  });
  try {
    // One connection: each request is one turn of the event loop, the same for every contender.
    const run = (amount) =>
      load({
        port: server.port,
        path: contender.path,
        connections: 1,
        amount,
        status: contender.expect.status,
      });
    const warm = await run(settings.warmup);
    execFileSync('callgrind_control', ['--zero', String(server.pid)], { stdio: 'ignore' });
    const counted = await run(settings.requests);
    execFileSync('callgrind_control', ['--dump', String(server.pid)], { stdio: 'ignore' });
    const unexpected = warm.unexpected + counted.unexpected;
    if (unexpected > 0)
      throw new Error(`${contender.id}: ${unexpected} answers were not ${contender.expect.status}`);
    const dump = readdirSync(dir).find((file) => file.endsWith('.1'));
    const total = dump && /^summary:\s*(\d+)/m.exec(readFileSync(join(dir, dump), 'utf8'))?.[1];
    if (!total) throw new Error(`${contender.id}: callgrind wrote no dump with a summary in ${dir}`);
    return Number(total) / counted.requests;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const perRequest = new Map(chosen.map((c) => [c.id, []]));
for (let round = 1; round <= settings.rounds; round++) {
  // Each round counts every contender once, `parallel` at a time, in the order given.
  const queue = [...chosen];
  const worker = async () => {
    for (let contender = queue.shift(); contender; contender = queue.shift()) {
      const value = await count(contender);
      perRequest.get(contender.id).push(value);
      progress(
        `round ${round}/${settings.rounds} ${contender.id.padEnd(16)} ${Math.round(value)} instructions/request`,
      );
    }
  };
  await Promise.all(Array.from({ length: settings.parallel }, worker));
}

const [baseline] = chosen;
const base = perRequest.get(baseline.id);
const ratios = new Map(chosen.map((c) => [c.id, compare(perRequest.get(c.id), base)]));
const fixed = (x) => x.toFixed(3);
const table = markdownTable(
  [
    { title: 'Contender' },
    { title: 'instructions/request (median)', right: true },
    { title: 'ratio', right: true },
    { title: 'round by round', right: true },
  ],
  chosen.map((c) => {
    const r = ratios.get(c.id);
    return [
      c.label,
      Math.round(median(perRequest.get(c.id))).toLocaleString('en-US'),
      c === baseline ? '–' : `${fixed(r.value)}×`,
      c === baseline ? '–' : `${fixed(r.min)}–${fixed(r.max)}`,
    ];
  }),
);
const goals = GUARDED_IDS.filter((id) => ratios.has(id) && baseline.id === 'ok-with').map((id) => {
  const r = ratios.get(id);
  const label = chosen.find((c) => c.id === id).label;
  return `- ${r.value <= GUARDS_CEILING ? 'PASS' : 'FAIL'} ${label} vs with serverErrors() alone: ${fixed(r.value)}× instructions/request (goal ≤ ${GUARDS_CEILING}×; round by round ${fixed(r.min)}–${fixed(r.max)})`;
});
const markdown = [
  '# Instructions per request (callgrind)',
  '',
  machineLine(machine),
  '',
  ...baselineLines(),
  `${settings.rounds} rounds; in each, every server counted once in its own process under \`valgrind --tool=callgrind\`, ${settings.parallel} at a time: ${settings.warmup} requests of warm-up, then the instructions of ${settings.requests} requests over one keep-alive connection (the server's whole process: every thread, the GC, Node, Express). Node flags: \`${NODE_FLAGS.join(' ')}\`. Ratios: medians over medians against ${baseline.label}; "round by round" is the range of each round's ratio.`,
  '',
  'Under valgrind a request takes about 50 times as long, so the work a process does on a clock (a sampling timer, a cached Date header) weighs about 50 times as much per request as at full speed: a guard that samples on a timer is charged more here than it costs.',
  '',
  table,
  ...(goals.length ? ['', '## Goal', '', ...goals] : []),
  '',
].join('\n');
writeFileSync(new URL('./results/instructions.md', import.meta.url), markdown);
process.stdout.write(markdown);
