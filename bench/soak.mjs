// The soak: `npm run soak` from the repository root (it builds first). One
// Express + serverErrors() server gets SOAK_REQUESTS (300000) failing requests
// over SOAK_CONNECTIONS (10), its heap sampled after a forced gc every
// SOAK_SAMPLE_EVERY (10000). Growth is read after the first 10%, the warm-up,
// when the JIT, Express's caches and the heap's own sizing have settled.
import { mkdirSync, writeFileSync } from 'node:fs';

import { startServer } from './child.mjs';
import { positiveInt } from './env.mjs';
import { load } from './load.mjs';
import { describeMachine } from './machine.mjs';
import { routes } from './soak-app.mjs';
import { soakReport } from './soak-report.mjs';

const settings = {
  requests: positiveInt('SOAK_REQUESTS', 300_000),
  sampleEvery: positiveInt('SOAK_SAMPLE_EVERY', 10_000),
  connections: positiveInt('SOAK_CONNECTIONS', 10),
};
const machine = describeMachine();
const started = Date.now();

let serial = 0;
const requests = routes.map(({ path }) => ({
  method: 'GET',
  setupRequest: (req) => ({ ...req, path: `${path}/${serial++}` }),
}));

const server = await startServer('soak-app.mjs', { execArgv: ['--expose-gc'] });
const samples = [];
const statuses = {};
let problems = 0;
try {
  const sample = async (done) => {
    const { gc, heapUsed, rss, external } = await server.ask('memory');
    if (!gc) throw new Error('the soak server has no gc(): was --expose-gc dropped?');
    samples.push({ requests: done, heapUsed, rss, external });
  };
  await sample(0);
  for (let done = 0; done < settings.requests;) {
    const amount = Math.min(settings.sampleEvery, settings.requests - done);
    const result = await load({ port: server.port, amount, connections: settings.connections, requests });
    if (result.requests === 0) throw new Error(`the soak server stopped answering after ${done} requests`);
    done += result.requests;
    problems += result.unexpected;
    for (const [code, count] of Object.entries(result.statuses))
      statuses[code] = (statuses[code] ?? 0) + count;
    await sample(done);
    const last = samples.at(-1);
    process.stderr.write(
      `${done.toString().padStart(8)} requests  heap ${(last.heapUsed / 2 ** 20).toFixed(2)} MB  rss ${(last.rss / 2 ** 20).toFixed(1)} MB\n`,
    );
  }
} finally {
  await server.stop();
}

const expected = new Set(routes.map(({ status }) => String(status)));
for (const [code, count] of Object.entries(statuses)) if (!expected.has(code)) problems += count;

const markdown = soakReport({
  machine,
  settings,
  samples,
  statuses,
  problems,
  seconds: (Date.now() - started) / 1000,
});
const results = new URL('./results/', import.meta.url);
mkdirSync(results, { recursive: true });
writeFileSync(new URL('soak.md', results), markdown);
writeFileSync(
  new URL('soak.json', results),
  `${JSON.stringify({ machine, settings, statuses, problems, samples }, null, 2)}\n`,
);
process.stdout.write(markdown);
