// Where a contender spends its CPU: `node bench/profile.mjs [contender-id]`
// (default server-errors) after `npm run build` and `npm --prefix bench ci`.
// Runs it alone under --cpu-prof for PROFILE_DURATION seconds (10) after a
// 2 s warm-up, then prints the hot functions and where the time went by package.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';

import { startServer } from './child.mjs';
import { contenders } from './contenders.mjs';
import { summariseProfile } from './cpu-profile.mjs';
import { positiveInt } from './env.mjs';
import { load } from './load.mjs';
import { markdownTable } from './table.mjs';

const id = process.argv[2] ?? 'server-errors';
const contender = contenders.find((c) => c.id === id);
if (!contender)
  throw new Error(`unknown contender "${id}"; known: ${contenders.map((c) => c.id).join(', ')}`);
const duration = positiveInt('PROFILE_DURATION', 10);
const connections = positiveInt('BENCH_CONNECTIONS', 10);
const TOP = 20;

const dir = new URL(`./results/profile/${id}/`, import.meta.url);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

const server = await startServer(contender.module, {
  variant: contender.variant,
  execArgv: ['--cpu-prof', `--cpu-prof-dir=${dir.pathname}`],
});
let requests = 0;
try {
  const run = (seconds) =>
    load({
      port: server.port,
      path: contender.path,
      connections,
      duration: seconds,
      status: contender.expect.status,
    });
  requests += (await run(2)).requests;
  requests += (await run(duration)).requests;
} finally {
  await server.stop();
}

const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
const { total, functions, packages } = summariseProfile(JSON.parse(readFileSync(new URL(file, dir), 'utf8')));
const share = (time) => `${((100 * time) / total).toFixed(1)}%`;
const perRequest = (time) => (time / requests).toFixed(2);
const table = (rows, key) =>
  markdownTable(
    [
      { title: 'function' },
      { title: 'area' },
      { title: `${key} %`, right: true },
      { title: 'µs/req', right: true },
    ],
    rows.map((f) => [f.key, f.area, share(f[key]), perRequest(f[key])]),
  );

// The handler under test lives in server-errors or, for the other contenders, in bench/contenders.
const own = functions.filter((f) => f.area === 'server-errors' || f.area === 'bench');
process.stdout.write(
  `${[
    `# CPU profile of ${contender.label}`,
    `${requests.toLocaleString('en-US')} requests; ${(total / 1000).toFixed(0)} ms of CPU on the main thread, idle excluded ` +
      `(${perRequest(total)} µs/req). Profile: bench/results/profile/${id}/${file}`,
    '## By package (self time)',
    markdownTable(
      [{ title: 'area' }, { title: 'self %', right: true }, { title: 'µs/req', right: true }],
      packages.map((p) => [p.area, share(p.self), perRequest(p.self)]),
    ),
    `## Top ${TOP} functions by self time`,
    table([...functions].sort((a, b) => b.self - a.self).slice(0, TOP), 'self'),
    `## server-errors and bench functions by inclusive time`,
    table([...own].sort((a, b) => b.inclusive - a.inclusive).slice(0, TOP), 'inclusive'),
  ].join('\n\n')}\n`,
);
