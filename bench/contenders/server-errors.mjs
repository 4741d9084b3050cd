import express from 'express';
import { ServiceUnavailable, serverErrors } from 'server-errors';

/** `variant` "quiet" turns the per-5xx log line off, to compare like with like against handlers that log nothing. */
export default function createHandler(variant) {
  const app = express();
  app.get('/fail', () => {
    throw new ServiceUnavailable(120);
  });
  app.use(variant === 'quiet' ? serverErrors({ log: false }) : serverErrors());
  return app;
}
