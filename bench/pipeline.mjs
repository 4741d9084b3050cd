// The error path of serverErrors() alone, without a network or a framework:
// real node:http request and response objects on an unconnected socket, the
// handler called in a loop. Each round starts one process per build, in turn,
// so no build shares a heap, a JIT or a garbage collector with the other;
// each measures its own CPU around the timed loop only. A change to the
// pipeline shows as the ratio of CPU per error between this build and the
// one in BENCH_BASELINE (a checkout with dist/ built).
// Run: BENCH_BASELINE=<checkout> node bench/pipeline.mjs
import { execFileSync } from 'node:child_process';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { positiveInt } from './env.mjs';
import { compare, median } from './stats.mjs';

const [mode, dir, calls] = process.argv.slice(2);

if (mode === '--child') {
  const { serverErrors, ServiceUnavailable } = await import(
    pathToFileURL(join(dir, 'dist', 'index.js')).href
  );
  const handle = serverErrors({ log: false });
  const socket = new Socket();
  const once = () => {
    const req = new IncomingMessage(socket);
    req.method = 'GET';
    req.url = '/fail?x=1';
    req.headers = { accept: '*/*', 'x-request-id': 'bench-1' };
    const res = new ServerResponse(req);
    handle(new ServiceUnavailable(120), req, res);
    return res;
  };
  const res = once();
  if (res.statusCode !== 503 || res.getHeader('retry-after') !== '120')
    throw new Error(`${dir} answered wrongly`);
  const n = Number(calls);
  for (let i = 0; i < n; i++) once(); // warm-up: the JIT settles
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) once();
  const used = process.cpuUsage(before);
  process.stdout.write(String((used.user + used.system) / n));
} else {
  const rounds = positiveInt('PIPELINE_ROUNDS', 15);
  const perRound = positiveInt('PIPELINE_CALLS', 100_000);
  const self = fileURLToPath(import.meta.url);
  const builds = [['this build', fileURLToPath(new URL('..', import.meta.url))]];
  if (process.env.BENCH_BASELINE) builds.unshift(['baseline', process.env.BENCH_BASELINE]);
  const cpu = builds.map(() => []);
  for (let round = 0; round < rounds; round++) {
    builds.forEach(([, path], i) => {
      const out = execFileSync(process.execPath, [self, '--child', path, String(perRound)], {
        env: { ...process.env, NODE_ENV: 'production' },
      });
      cpu[i].push(Number(out.toString()));
    });
  }
  builds.forEach(([name], i) =>
    console.log(
      `${name.padEnd(12)} ${median(cpu[i]).toFixed(2)} µs CPU per error (median of ${rounds} rounds)`,
    ),
  );
  if (builds.length === 2) {
    const ratio = compare(cpu[1], cpu[0]);
    console.log(
      `this build ÷ baseline: ${ratio.value.toFixed(3)}× (round by round ${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)})`,
    );
  }
}
