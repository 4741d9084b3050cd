import { STATUS_CODES } from 'node:http';

import createError from 'http-errors';
import express from 'express';

// What a competent user writes instead of a library: honour http-errors'
// status, expose and headers, answer problem+json. No logging, no Cache-Control,
// no nosniff: the baseline does less than server-errors, never more.
export default function createHandler() {
  const app = express();
  app.get('/fail', () => {
    throw createError(503, { headers: { 'Retry-After': '120' } });
  });
  app.use((err, req, res, next) => {
    if (res.headersSent) return next(err);
    const status = err.status ?? err.statusCode ?? 500;
    if (err.headers) res.set(err.headers);
    res
      .status(status)
      .type('application/problem+json')
      .send(
        JSON.stringify({
          type: 'about:blank',
          title: STATUS_CODES[status],
          status,
          detail: err.expose ? err.message : undefined,
          instance: req.path,
        }),
      );
  });
  return app;
}
