import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import express from 'express';

/**
 * `variant` "quiet" turns the per-5xx log line off, to compare like with like
 * against handlers that log nothing. "baseline" and "baseline-quiet" load the
 * package built in the checkout named by BENCH_BASELINE instead, so one run
 * compares this build with an earlier one.
 */
export default async function createHandler(variant = '') {
  const baseline = variant.startsWith('baseline');
  const library = baseline
    ? await import(pathToFileURL(join(process.env.BENCH_BASELINE ?? '', 'dist', 'index.js')).href)
    : await import('server-errors');
  const { ServiceUnavailable, serverErrors } = library;
  const app = express();
  app.get('/fail', () => {
    throw new ServiceUnavailable(120);
  });
  app.use(variant.endsWith('quiet') ? serverErrors({ log: false }) : serverErrors());
  return app;
}
