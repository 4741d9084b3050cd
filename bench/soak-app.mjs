import createError from 'http-errors';
import express from 'express';
import { BadGateway, NetworkAuthenticationRequired, ServiceUnavailable, serverErrors } from 'server-errors';

/**
 * The soak's server: one route per kind of failure the middleware meets. Each
 * path ends in a fresh number, so anything kept per path or per error would grow.
 */
export const routes = [
  { path: '/unavailable', status: 503, fail: () => new ServiceUnavailable(120) },
  { path: '/plain', status: 500, fail: (n) => new Error(`plain failure ${n}`) },
  {
    path: '/extensions',
    status: 502,
    fail: (n) =>
      new BadGateway({
        detail: 'The upstream answered nonsense.',
        extensions: { upstream: 'payments', attempt: n },
      }),
  },
  { path: '/login', status: 511, fail: () => new NetworkAuthenticationRequired({ loginUrl: '/login' }) },
  { path: '/missing', status: 404, fail: () => createError(404) },
];

export default function createHandler() {
  const app = express();
  for (const { path, fail } of routes) {
    app.get(`${path}/:n`, (req) => {
      throw fail(Number(req.params.n));
    });
  }
  app.use(serverErrors());
  return app;
}
