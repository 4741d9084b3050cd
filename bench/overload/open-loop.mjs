import { Agent, request } from 'node:http';
import { setImmediate } from 'node:timers';

/** Outcome codes beside HTTP statuses. */
export const PENDING = 0;
export const ERROR = -1;
export const TIMEOUT = -2;

// Past this much lead the loop sleeps on a timer; closer, it spins on setImmediate,
// whose turn comes within microseconds, so a send leaves on time to well under a millisecond.
const SPIN_MS = 2;
// Before the first send: the schedule starts once the loop runs, not while it is being set up.
const LEAD_MS = 5;
// Past the last deadline, what is still unsettled is counted as an error: a bug must not hang the run.
const GRACE_MS = 5000;

/**
 * The send times, in ms from the start, of a constant arrival rate per phase:
 * `phases` is [{ rate (req/s), seconds }], one after the other.
 */
export function schedule(phases) {
  const times = [];
  let phaseStart = 0;
  for (const { rate, seconds } of phases) {
    const count = Math.round(rate * seconds);
    for (let i = 0; i < count; i++) times.push(phaseStart + (i * 1000) / rate);
    phaseStart += seconds * 1000;
  }
  return Float64Array.from(times);
}

/**
 * Open-loop load: sends `GET path` to 127.0.0.1:`port` at each time of
 * `phases`' schedule, whatever the server answers or fails to, so an overloaded
 * server meets the rate it would meet in production instead of slowing its
 * clients down (what closed-loop tools do). Latency runs from the *scheduled*
 * time, so a late send counts against the server, not for it (no coordinated
 * omission). A request unanswered `timeoutMs` after its scheduled time is
 * aborted and counted as a timeout.
 *
 * Resolves, once every request has settled, with typed arrays indexed by
 * request: `at` (scheduled ms), `outcome` (status, ERROR or TIMEOUT), `latency`
 * (ms, NaN unless answered) and `lag` (ms the send left after its time).
 */
export function openLoop({ port, path, phases, timeoutMs = 2000 }) {
  const at = schedule(phases);
  const count = at.length;
  const outcome = new Int16Array(count);
  const latency = new Float64Array(count).fill(NaN);
  const lag = new Float64Array(count).fill(NaN);
  // A keep-alive pool without a cap: a request never waits for a busy
  // connection, a new one opens. Free sockets close after 4 s idle, before
  // node:http's 5 s keepAliveTimeout on the server, so a reused socket is never
  // one the server is closing.
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity, timeout: 4000 });
  const origin = process.hrtime.bigint() + BigInt(LEAD_MS * 1e6);
  const now = () => Number(process.hrtime.bigint() - origin) / 1e6;
  let settled = 0;
  let next = 0;

  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(guard);
      agent.destroy();
      resolve({ at, outcome, latency, lag, count });
    };
    const settle = (i, code) => {
      if (outcome[i] !== PENDING) return;
      outcome[i] = code;
      if (code > 0) latency[i] = now() - at[i];
      if (++settled === count) finish();
    };
    const send = (i) => {
      const sentAt = now();
      lag[i] = sentAt - at[i];
      const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
        res.on('end', () => {
          clearTimeout(timer);
          settle(i, res.statusCode);
        });
        // A body cut short ends in 'close' without 'end' (and 'error' with it).
        res.on('error', () => settle(i, ERROR));
        res.on('close', () => settle(i, ERROR));
        res.resume();
      });
      const timer = setTimeout(
        () => {
          settle(i, TIMEOUT);
          req.destroy();
        },
        Math.max(0, timeoutMs - lag[i]),
      );
      req.on('error', () => {
        clearTimeout(timer);
        settle(i, ERROR);
      });
      req.end();
    };
    // Sends everything whose time has come (catching up after a pause, such as
    // a GC), then sleeps or spins until the next one is due.
    const tick = () => {
      while (next < count && at[next] <= now()) send(next++);
      if (next === count) return;
      const wait = at[next] - now();
      if (wait > SPIN_MS) setTimeout(tick, wait - SPIN_MS / 2);
      else setImmediate(tick);
    };
    const total = count === 0 ? 0 : at[count - 1] + timeoutMs;
    const guard = setTimeout(
      () => {
        next = count;
        for (let i = 0; i < count; i++) settle(i, ERROR);
      },
      LEAD_MS + total + GRACE_MS,
    );
    if (count === 0) finish();
    else setTimeout(tick, LEAD_MS);
  });
}
