import { performance } from 'node:perf_hooks';

/** CPU a `GET /work` costs before its answer: enough that the route, not the framework, sets the capacity. */
export const WORK_MS = 2;

/**
 * Burns `ms` of CPU on the event loop, as a route that computes would: a busy
 * loop on the clock, not a timer, so that an overloaded server really runs out
 * of CPU instead of waiting.
 */
export function burn(ms = WORK_MS) {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}

/** The 200 body every contender sends. */
export const WORK_BODY = { ok: true, work: 'done' };
