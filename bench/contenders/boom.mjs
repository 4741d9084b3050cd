import Boom from '@hapi/boom';
import express from 'express';

// Boom's way: the error carries its whole response in err.output; the handler copies it out.
export default function createHandler() {
  const app = express();
  app.get('/fail', () => {
    const err = Boom.serverUnavailable();
    err.output.headers['Retry-After'] = '120';
    throw err;
  });
  app.use((err, req, res, next) => {
    if (res.headersSent) return next(err);
    const { statusCode, headers, payload } = (Boom.isBoom(err) ? err : Boom.boomify(err)).output;
    res.status(statusCode).set(headers).json(payload);
  });
  return app;
}
