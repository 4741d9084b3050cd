import { STATUS_CODES } from 'node:http';

import createError from 'http-errors';
import express from 'express';

// What a competent user writes instead of a library: honour http-errors'
// status, expose and headers, answer problem+json. No logging, no Cache-Control,
// no nosniff: the baseline does less than server-errors, never more.
//
// Variants, for peak-rss.mjs's RSS_HAND_WRITTEN, each changing one thing:
// "ballast-<KB>" keeps that many KB of arrays live besides, to show what a given
// amount of live heap costs the peak; "logged" logs each error as a user would
// by hand, one console.error line with what serverErrors()'s default log says
// of a catalog error thrown on purpose, to show what logging itself costs.
export default function createHandler(variant = '') {
  const kb = /^ballast-(\d+)$/.exec(variant)?.[1];
  // 128 small integers a KB: V8 stores them unboxed, 8 bytes each.
  if (kb !== undefined) ballast.push(...Array.from({ length: Number(kb) }, () => new Array(128).fill(0)));
  const logged = variant === 'logged';
  const app = express();
  app.get('/fail', () => {
    throw createError(503, { headers: { 'Retry-After': '120' } });
  });
  app.use((err, req, res, next) => {
    if (res.headersSent) return next(err);
    const status = err.status ?? err.statusCode ?? 500;
    if (logged) console.error(`${status} ${req.method} ${req.path} ${err.name}: ${err.message}`);
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

const ballast = [];
