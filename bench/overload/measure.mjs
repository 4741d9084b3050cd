import { get } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

import { watchContention } from '../contention.mjs';
import { load } from '../load.mjs';
import { listenDrops } from './listen-drops.mjs';
import { openLoop } from './open-loop.mjs';

export const PATH = '/work';
export const TIMEOUT_MS = 2000;

const SLICE_MS = 250;
// A server whose CPU stays under this share of a core is idle: what timers
// (under-pressure's sampling, the event-loop monitors) cost, not a backlog.
const IDLE_SHARE = 0.05;
const QUIET_MS = 1000;
const SETTLE_MAX_MS = 60_000;

const ASK_MS = 30_000;

export const cpuOf = (usage) => usage.cpu.user + usage.cpu.system;

/**
 * server.ask(type), given up on after 30 s: a server that died or hangs makes
 * its contender WRONG instead of stalling the whole benchmark. A busy server
 * answers between two requests, within milliseconds.
 */
export function ask(server, type) {
  let timer;
  const late = new Promise((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`the server did not answer "${type}" within 30 s`)), ASK_MS);
  });
  return Promise.race([server.ask(type), late]).finally(() => clearTimeout(timer));
}

/**
 * Waits until the server has been idle for a second. An unshed server at 3C
 * still holds many seconds of requests when the clients have given up on
 * them (it serves every one of them, to a closed socket), and that backlog must
 * not land in the next run. Returns how long the server stayed busy, in ms;
 * `drained` is false when it was still busy after a minute.
 */
export async function settle(server) {
  const start = performance.now();
  let quietSince = start;
  let last = cpuOf(await ask(server, 'usage'));
  while (performance.now() - quietSince < QUIET_MS) {
    if (performance.now() - start > SETTLE_MAX_MS) return { busyMs: quietSince - start, drained: false };
    await sleep(SLICE_MS);
    const now = cpuOf(await ask(server, 'usage'));
    if (now - last > IDLE_SHARE * SLICE_MS * 1000) quietSince = performance.now();
    last = now;
  }
  return { busyMs: quietSince - start, drained: true };
}

/**
 * One open-loop run against one server, then the settle. The server's CPU is
 * read before the run and after the settle, so it holds all the work the run
 * caused, the backlog served after the clients gave up included; `cpuLoad`
 * is the part spent while requests were still outstanding.
 */
export async function measureRun(server, { phases, capacity }) {
  const before = await ask(server, 'usage');
  const others = watchContention();
  const dropsBefore = listenDrops();
  const result = await openLoop({ port: server.port, path: PATH, phases, timeoutMs: TIMEOUT_MS });
  const listenDropped = listenDrops() - dropsBefore;
  const loaded = await ask(server, 'usage');
  const otherCores = others(cpuOf(loaded) - cpuOf(before));
  const { busyMs, drained } = await settle(server);
  const after = await ask(server, 'usage');
  return {
    result,
    cpu: cpuOf(after) - cpuOf(before),
    cpuLoad: cpuOf(loaded) - cpuOf(before),
    busyAfterMs: busyMs,
    drained,
    otherCores,
    listenDropped,
    capacity,
  };
}

/**
 * The capacity C of a server: the most it serves, closed loop (autocannon, 4
 * connections, so it is never idle and never holds a deep queue), after a
 * warm-up. Every answer must be a 200.
 */
export async function measureCapacity(server, { warmup = 2, duration = 5, connections = 4 } = {}) {
  await load({ port: server.port, path: PATH, connections, duration: warmup, status: 200 });
  const figures = await load({ port: server.port, path: PATH, connections, duration, status: 200 });
  if (figures.unexpected > 0)
    throw new Error(
      `capacity: ${figures.unexpected} answers were not 200 (${JSON.stringify(figures.statuses)})`,
    );
  return { rps: figures.rps, p50: figures.p50, p99: figures.p99, requests: figures.requests };
}

/** One `GET /work` before any load: a contender that does not answer 200 JSON is WRONG, not measured. */
export function checkWork(port) {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path: PATH, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => {
        try {
          if (res.statusCode !== 200) throw new Error(`GET ${PATH} answered ${res.statusCode}`);
          JSON.parse(body);
          resolve();
        } catch (error) {
          reject(error);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${PATH}: no answer within 5 s`)));
    req.on('error', reject);
  });
}
