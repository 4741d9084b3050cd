import connectTimeout from 'connect-timeout';
import express from 'express';
import {
  captivePortal,
  httpVersions,
  loadShedding,
  loopGuard,
  maintenance,
  methods,
  serverErrors,
  timeout,
} from 'server-errors';

/**
 * `variant` "with" installs serverErrors(); "guarded" also puts every guard in
 * front of the route, each configured to let it through. A route that succeeds
 * should pay next to nothing for either. "layers" puts seven middlewares that
 * only call next() there instead: what Express itself charges for dispatching
 * to seven middlewares, whatever they do. "timeout" and "connect-timeout" put
 * only our timeout() or connect-timeout there: both arm a timer per request.
 */
export default function createHandler(variant) {
  const app = express();
  if (variant === 'layers') {
    for (let i = 0; i < 7; i++) app.use((_req, _res, next) => next());
  }
  if (variant === 'timeout') app.use(timeout(5000));
  if (variant === 'connect-timeout') app.use(connectTimeout(5000));
  if (variant === 'guarded') {
    app.use(httpVersions());
    app.use(methods());
    app.use(loopGuard({ id: 'bench' }));
    app.use(maintenance({ enabled: false }));
    app.use(loadShedding({ maxEventLoopDelay: 1000, maxRssBytes: 8e9 }));
    app.use(captivePortal({ isAuthenticated: () => true, loginUrl: '/login' }));
    app.use(timeout(5000));
  }
  app.get('/ok', (req, res) => {
    res.json({ ok: true, items: [1, 2, 3] });
  });
  if (variant !== 'without') app.use(serverErrors());
  return app;
}
