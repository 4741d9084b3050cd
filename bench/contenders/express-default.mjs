import createError from 'http-errors';
import express from 'express';

// No error handler of our own: Express 5's finalhandler answers (an HTML page), sets
// err.headers and, outside NODE_ENV=test, logs the stack with console.error.
export default function createHandler() {
  const app = express();
  app.get('/fail', () => {
    throw createError(503, { headers: { 'Retry-After': '120' } });
  });
  return app;
}
