import connectTimeout from 'connect-timeout';
import express from 'express';

import { importLibrary } from './library.mjs';

/**
 * `variant` "with" installs serverErrors(); "guarded" also puts every guard in
 * front of the route, each configured to let it through. A route that succeeds
 * should pay next to nothing for either. "layers" puts seven middlewares that
 * only call next() there instead: what Express itself charges for dispatching
 * to seven middlewares, whatever they do; "layer" puts one there, the layer
 * guards() costs whatever its guards do. "timeout" and "connect-timeout" put
 * only our timeout() or connect-timeout there: both arm a timer per request.
 * "guarded-one" puts the same guards there as one middleware, with guards().
 * "baseline-<variant>" is that variant on the package built in the checkout
 * named by BENCH_BASELINE, so one run compares this build with an earlier one.
 */
export default async function createHandler(spec) {
  const variant = spec.replace(/^baseline-/, '');
  const library = await importLibrary(spec !== variant);
  const { guards, serverErrors, timeout } = library;
  const app = express();
  if (variant === 'layer') app.use((_req, _res, next) => next());
  if (variant === 'layers') {
    for (let i = 0; i < 7; i++) app.use((_req, _res, next) => next());
  }
  if (variant === 'timeout') app.use(timeout(5000));
  if (variant === 'connect-timeout') app.use(connectTimeout(5000));
  if (variant === 'guarded') for (const guard of allGuards(library)) app.use(guard);
  if (variant === 'guarded-one') {
    // A dist/ built before guards() existed: say so, instead of "not a function".
    if (typeof guards !== 'function') throw new Error('this build of server-errors exports no guards()');
    app.use(guards(...allGuards(library)));
  }
  app.get('/ok', (req, res) => {
    res.json({ ok: true, items: [1, 2, 3] });
  });
  if (variant !== 'without') app.use(serverErrors());
  return app;
}

/**
 * Every guard, each configured to let the request through. loadShedding() has
 * the limits its docs recommend it for, memory: its delay and utilization
 * limits are deprecated for admission(), and the delay limit's histogram wakes
 * the process every 10 ms: under valgrind (bench/instructions.mjs), where a
 * request takes 50 times as long, that idle rate came to 20 000 instructions a
 * request (2.6 %), against about 1 % of that at native speed.
 */
function allGuards({ captivePortal, httpVersions, loadShedding, loopGuard, maintenance, methods, timeout }) {
  return [
    httpVersions(),
    methods(),
    loopGuard({ id: 'bench' }),
    maintenance({ enabled: false }),
    loadShedding({ maxHeapUsedBytes: 8e9, maxRssBytes: 8e9 }),
    captivePortal({ isAuthenticated: () => true, loginUrl: '/login' }),
    timeout(5000),
  ];
}
