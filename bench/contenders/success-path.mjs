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
 * should pay next to nothing for either.
 */
export default function createHandler(variant) {
  const app = express();
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
