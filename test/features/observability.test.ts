import { Writable } from 'node:stream';

import pino from 'pino';
import request from 'supertest';

import { ServiceUnavailable } from '../../src/errors/classes';
import { serverErrors } from '../../src/node/middleware';
import type { ServerErrorsOptions } from '../../src/node/options';
import { expressVersions } from '../helpers/apps';
import { problemOf } from '../helpers/problem';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE}-00f067aa0ba902b7-01`;

describe.each(expressVersions)('trace ids and logging on %s', (_version, express) => {
  const appWith = (options: ServerErrorsOptions) => {
    const app = express();
    app.get('/fail', () => {
      throw new ServiceUnavailable(30);
    });
    app.get('/missing', (_req, _res, next) =>
      next(Object.assign(new Error('nope'), { status: 404, expose: true })),
    );
    app.use(serverErrors(options));
    return app;
  };

  it('takes the trace-id of a valid traceparent, and logs the same id', async () => {
    const records: unknown[] = [];
    const res = await request(appWith({ log: (r) => records.push(r) }))
      .get('/fail?x=1')
      .set('traceparent', TRACEPARENT);
    expect(problemOf(res).traceId).toBe(TRACE);
    expect(records).toEqual([
      expect.objectContaining({ status: 503, method: 'GET', path: '/fail', traceId: TRACE }),
    ]);
  });

  it('falls back to a sane X-Request-Id, then to a generated id', async () => {
    const app = appWith({ log: false });
    expect(problemOf(await request(app).get('/fail').set('X-Request-Id', 'req-42')).traceId).toBe('req-42');
    const bad = problemOf(await request(app).get('/fail').set('X-Request-Id', '<script>alert(1)</script>'));
    expect(bad.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('gives 4xx problems a trace id too', async () => {
    expect(problemOf(await request(appWith({ log: false })).get('/missing')).traceId).toMatch(
      /^[0-9a-f]{32}$/,
    );
  });

  it('takes the id from a function when it returns one', async () => {
    const app = appWith({
      log: false,
      traceId: (req) => req.headers['x-amzn-trace-id'] as string | undefined,
    });
    expect(problemOf(await request(app).get('/fail').set('X-Amzn-Trace-Id', 'Root=1-abc')).traceId).toBe(
      'Root=1-abc',
    );
    expect(problemOf(await request(app).get('/fail')).traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('falls back to the default id when the function returns an empty string', async () => {
    const app = appWith({ log: false, traceId: () => '' });
    expect(problemOf(await request(app).get('/fail').set('X-Request-Id', 'req-9')).traceId).toBe('req-9');
  });

  it('leaves the trace id out when turned off', async () => {
    const records: Array<Record<string, unknown>> = [];
    const res = await request(appWith({ traceId: false, log: (r) => records.push({ ...r }) })).get('/fail');
    expect(problemOf(res)).not.toHaveProperty('traceId');
    expect(records[0]).not.toHaveProperty('traceId');
  });

  it('plugs into pino as the README shows', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    });
    const logger = pino({ base: null }, destination);
    const app = appWith({ log: (r) => logger.error(r, 'request failed') });
    await request(app).get('/fail?token=secret').set('traceparent', TRACEPARENT);
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 50,
      msg: 'request failed',
      status: 503,
      method: 'GET',
      path: '/fail',
      traceId: TRACE,
      err: {
        type: 'ServiceUnavailable',
        message: 'Service Unavailable',
        stack: expect.stringMatching(/^ServiceUnavailable/),
      },
    });
    expect(lines[0]).not.toContain('secret');
  });
});
