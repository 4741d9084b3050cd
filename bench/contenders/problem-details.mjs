import createError from 'http-errors';
import express from 'express';
import problemDetails from 'express-http-problem-details';
import mapper from 'http-problem-details-mapper';

const { HttpProblemResponse } = problemDetails;
const { DefaultMappingStrategy, MapperRegistry } = mapper;

export default function createHandler() {
  const app = express();
  app.get('/fail', () => {
    throw createError(503, { headers: { 'Retry-After': '120' } });
  });
  // HttpProblemResponse ignores err.headers, so Retry-After needs a handler in front of it.
  app.use((err, req, res, next) => {
    if (err.headers && !res.headersSent) res.set(err.headers);
    next(err);
  });
  app.use(HttpProblemResponse({ strategy: new DefaultMappingStrategy(new MapperRegistry()) }));
  return app;
}
