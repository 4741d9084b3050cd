import express from 'express';

import { importLibrary } from './library.mjs';

/**
 * `variant` "quiet" turns the per-5xx log line off, to compare like with like
 * against handlers that log nothing. "baseline" and "baseline-quiet" load the
 * package built in the checkout named by BENCH_BASELINE instead, so one run
 * compares this build with an earlier one.
 */
export default async function createHandler(variant = '') {
  const library = await importLibrary(variant.startsWith('baseline'));
  const { ServiceUnavailable, serverErrors } = library;
  const app = express();
  app.get('/fail', () => {
    throw new ServiceUnavailable(120);
  });
  app.use(variant.endsWith('quiet') ? serverErrors({ log: false }) : serverErrors());
  return app;
}
