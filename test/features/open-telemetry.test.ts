import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type express5 from 'express';
import createError from 'http-errors';
import request from 'supertest';

import { ServiceUnavailable } from '../../src/errors/classes';
import { maintenance } from '../../src/guards/maintenance';
import { serverErrors } from '../../src/node/middleware';
import type { ServerErrorsOptions } from '../../src/node/options';
import { expressVersions, throwing } from '../helpers/apps';
import { closeServers, listenLocally, urlOf } from '../helpers/local-server';
import { problemOf } from '../helpers/problem';
import { startTracing, type Tracing } from '../helpers/tracing';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe.each(expressVersions)('OpenTelemetry on %s', (_version, express) => {
  let tracing: Tracing;
  beforeEach(() => {
    tracing = startTracing();
  });
  afterEach(async () => {
    await tracing.stop();
    await closeServers();
  });

  function appWith(routes: (app: express5.Express) => void, options: ServerErrorsOptions = {}) {
    const app = express() as unknown as express5.Express;
    // What an HTTP instrumentation does: a server span around the whole request.
    app.use((req, res, next) =>
      tracing.serverSpan(req.headers, (span) => {
        res.on('close', () => span.end());
        next();
      }),
    );
    routes(app);
    app.use(serverErrors({ log: false, ...options }));
    return app;
  }

  /** The server span, once it has ended (a response's 'close' comes just after the client read it). */
  async function serverSpan(): Promise<ReadableSpan> {
    for (let i = 0; i < 100; i++) {
      const span = tracing.spans().find((s) => s.kind === SpanKind.SERVER);
      if (span !== undefined) return span;
      await new Promise((resolve) => setImmediate(resolve));
    }
    throw new Error('no server span ended');
  }

  it('marks a 5xx of ours: status ERROR, error.type its class, the exception once', async () => {
    const app = appWith((a) =>
      a.get('/', throwing(new ServiceUnavailable(30, { message: 'db pool drained' }))),
    );
    const res = await request(app).get('/');
    const span = await serverSpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('ServiceUnavailable');
    expect(span.events).toHaveLength(1);
    expect(span.events[0]).toMatchObject({
      name: 'exception',
      attributes: {
        'exception.type': 'ServiceUnavailable',
        'exception.message': 'db pool drained',
        'exception.stacktrace': expect.stringContaining('ServiceUnavailable: db pool drained'),
      },
    });
    expect(res.text).not.toContain('db pool drained');
  });

  it('takes the trace id from the span, so the body, the header and the trace agree', async () => {
    const app = appWith((a) => a.get('/', throwing(new Error('kaput'))));
    const res = await request(app).get('/').set('X-Request-Id', 'not-the-trace');
    const span = await serverSpan();
    const { traceId, spanId } = span.spanContext();
    expect(problemOf(res).traceId).toBe(traceId);
    expect(res.headers.traceresponse).toBe(`00-${traceId}-${spanId}-01`);
    expect(res.headers['x-request-id']).toBeUndefined();
    expect(span.attributes['error.type']).toBe('500');
    expect(span.events[0]?.attributes).toMatchObject({
      'exception.type': 'Error',
      'exception.message': 'kaput',
    });
  });

  it('continues the trace of the request’s traceparent', async () => {
    const app = appWith((a) => a.get('/', throwing(new Error('kaput'))));
    const res = await request(app).get('/').set('traceparent', TRACEPARENT);
    expect(problemOf(res).traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect((await serverSpan()).spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('leaves a 4xx unmarked, as the conventions leave server spans with a 4xx', async () => {
    const app = appWith((a) => a.get('/', throwing(createError(404, 'No such order.'))));
    const res = await request(app).get('/');
    const span = await serverSpan();
    expect(res.status).toBe(404);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes['error.type']).toBeUndefined();
    expect(span.events).toEqual([]);
    expect(problemOf(res).traceId).toBe(span.spanContext().traceId);
  });

  it('marks a guard’s 503, which is a 5xx answered, without logging it', async () => {
    const logged: unknown[] = [];
    const app = appWith((a) => a.use(maintenance()), { log: (record) => logged.push(record) });
    expect((await request(app).get('/')).status).toBe(503);
    const span = await serverSpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('ServiceUnavailable');
    expect(logged).toEqual([]);
  });

  it('records the exception once when the error reaches the handler twice', async () => {
    const handle = serverErrors({ log: false });
    const error = new Error('twice');
    const server = await listenLocally((req, res) =>
      tracing.serverSpan(req.headers, (span) => {
        handle(error, req, res);
        // timeout() and a route passing its error on again do this.
        handle(error, req, res);
        span.end();
      }),
    );
    await (await fetch(urlOf(server))).text();
    expect((await serverSpan()).events).toHaveLength(1);
  });

  it('leaves the span of a client that went away unmarked', async () => {
    const slow = await listenLocally(() => undefined);
    const failed = new Promise<void>((resolve) => {
      const app = appWith((a) =>
        a.get('/', (req, _res, next) => {
          const controller = new AbortController();
          req.socket.once('close', () => controller.abort());
          fetch(`${urlOf(slow)}/`, { signal: controller.signal }).then(undefined, (error: unknown) => {
            next(error);
            setImmediate(resolve);
          });
        }),
      );
      void listenLocally(app).then((server) => {
        const client = new AbortController();
        fetch(`${urlOf(server)}/`, { signal: client.signal }).catch(() => undefined);
        setTimeout(() => client.abort(), 100);
      });
    });
    await failed;
    const span = await serverSpan();
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.events).toEqual([]);
  });

  it('leaves spans alone, and the trace id to the request, with openTelemetry: false', async () => {
    const app = appWith((a) => a.get('/', throwing(new Error('kaput'))), { openTelemetry: false });
    const res = await request(app).get('/').set('X-Request-Id', 'req-9');
    const span = await serverSpan();
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.events).toEqual([]);
    expect(problemOf(res).traceId).toBe('req-9');
    expect(res.headers['x-request-id']).toBe('req-9');
    expect(res.headers.traceresponse).toBeUndefined();
  });

  it('refuses openTelemetry that is not a boolean at start-up', () => {
    expect(() => serverErrors({ openTelemetry: 'yes' as never })).toThrow(
      /option "openTelemetry" must be a boolean; received "yes"\./,
    );
  });
});

describe.each(expressVersions)('the trace id header on %s, without OpenTelemetry', (_version, express) => {
  const app = express();
  app.use('/app-id', (_req, res, next) => {
    // What a request-id middleware does: its own id, on the response.
    res.setHeader('X-Request-Id', 'app-7');
    next();
  });
  app.use((_req, _res, next) => next(new ServiceUnavailable(5)));
  app.use(serverErrors({ log: false }));

  it('echoes the request’s X-Request-Id, the problem’s traceId', async () => {
    const res = await request(app).get('/x').set('X-Request-Id', 'req-42');
    expect(res.headers['x-request-id']).toBe('req-42');
    expect(problemOf(res).traceId).toBe('req-42');
  });

  it('sends the new id it made when the request had none, HEAD included', async () => {
    const get = await request(app).get('/x');
    expect(get.headers['x-request-id']).toBe(problemOf(get).traceId);
    const head = await request(app).head('/x');
    expect(head.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('keeps the id a request-id middleware already gave the request', async () => {
    const res = await request(app).get('/app-id/x').set('X-Request-Id', 'client-1');
    expect(res.headers['x-request-id']).toBe('app-7');
    expect(problemOf(res).traceId).toBe('app-7');
  });

  it('sends no header an id could break: a user’s id with a line break goes in the body only', async () => {
    const own = express();
    own.get('/', throwing(new ServiceUnavailable(5)));
    own.use(serverErrors({ log: false, traceId: () => 'a\r\nSet-Cookie: x=1' }));
    const res = await request(own).get('/');
    expect(res.headers['x-request-id']).toBeUndefined();
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(problemOf(res).traceId).toBe('a\r\nSet-Cookie: x=1');
  });
});

describe('OpenTelemetry end to end, with its HTTP and Express instrumentations', () => {
  it('marks the server span the instrumentations made, and the problem names its trace', () => {
    const out = execFileSync(process.execPath, [join(__dirname, 'fixtures', 'instrumented-server.cjs')], {
      env: { ...process.env, NODE_ENV: 'production' },
      timeout: 30_000,
    });
    const { status, headers, body, spans } = JSON.parse(out.toString()) as {
      status: number;
      headers: Record<string, string>;
      body: { traceId: string };
      spans: Array<{
        kind: number;
        traceId: string;
        spanId: string;
        status: { code: number };
        attributes: Record<string, unknown>;
        events: Array<{ name: string; attributes: Record<string, unknown> }>;
      }>;
    };
    expect(status).toBe(503);
    const server = spans.filter((span) => span.kind === SpanKind.SERVER);
    expect(server).toHaveLength(1);
    const [span] = server as [(typeof server)[number]];
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('ServiceUnavailable');
    expect(span.events.filter((event) => event.name === 'exception')).toEqual([
      {
        name: 'exception',
        attributes: expect.objectContaining({
          'exception.type': 'ServiceUnavailable',
          'exception.message': 'queue is full',
        }),
      },
    ]);
    expect(body.traceId).toBe(span.traceId);
    expect(headers.traceresponse).toBe(`00-${span.traceId}-${span.spanId}-01`);
  });
});
