import Boom from '@hapi/boom';
import timeout from 'connect-timeout';
import { once } from 'node:events';
import { Agent, type IncomingMessage, request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import createError from 'http-errors';
import type express5 from 'express';
import request from 'supertest';

import { catalog } from '../../src/catalog/catalog';
import {
  BadGateway,
  errorClasses,
  GatewayTimeout,
  NetworkAuthenticationRequired,
  NotImplemented,
  ServiceUnavailable,
} from '../../src/errors/classes';
import { maintenance } from '../../src/guards/maintenance';
import { serverErrors } from '../../src/node/middleware';
import type { ServerErrorsOptions } from '../../src/node/options';
import { expressVersions, throwing } from '../helpers/apps';
import { closeServers, listenLocally, urlOf } from '../helpers/local-server';
import { problemOf } from '../helpers/problem';

const statuses = Object.keys(errorClasses).map(Number) as Array<keyof typeof errorClasses>;
const when = new Date(Date.UTC(2031, 0, 2, 3, 4, 5));

describe.each(expressVersions)('serverErrors() on %s', (_version, express) => {
  function appWith(route: (app: ReturnType<typeof express>) => void, options?: ServerErrorsOptions) {
    const app = express();
    route(app);
    app.use(serverErrors(options));
    return app;
  }

  describe.each(statuses)('for a thrown %i', (status) => {
    const entry = catalog[status];
    const Class = errorClasses[status];
    const app = appWith((a) => {
      a.get('/fail', throwing(new Class()));
      a.get('/detail', throwing(new Class({ detail: 'Public words.', message: 'private words' })));
    });

    it('answers with the status, its reason phrase and a problem+json body', async () => {
      const res = await request(app).get('/fail?token=secret');
      expect(res.status).toBe(status);
      expect((res as unknown as { res: { statusMessage: string } }).res.statusMessage).toBe(entry.title);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(problemOf(res)).toEqual({
        type: entry.definition?.url ?? 'about:blank',
        title: entry.title,
        status,
        instance: '/fail',
        traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
      });
    });

    it('sends the public detail and never the message', async () => {
      const res = await request(app).get('/detail');
      expect(problemOf(res).detail).toBe('Public words.');
      expect(res.text).not.toContain('private words');
    });

    it(`${entry.noStore ? 'forbids' : 'does not forbid'} caching without a Retry-After`, async () => {
      const res = await request(app).get('/fail');
      expect(res.headers['cache-control']).toBe(entry.noStore ? 'no-store' : undefined);
      expect(res.headers['retry-after']).toBeUndefined();
    });

    it('answers HEAD with the same headers and no body', async () => {
      const get = await request(app).get('/fail');
      const head = await request(app).head('/fail');
      expect(head.status).toBe(status);
      expect(head.headers['content-type']).toBe(get.headers['content-type']);
      expect(head.headers['content-length']).toBe(get.headers['content-length']);
      expect(head.text ?? '').toBe('');
    });
  });

  describe.each([
    ['ServiceUnavailable', ServiceUnavailable, 503],
    ['NotImplemented', NotImplemented, 501],
  ] as const)('Retry-After on %s', (_name, Class, status) => {
    const app = appWith((a) => {
      a.get('/seconds', throwing(new Class(120)));
      a.get('/date', throwing(new Class(when, { detail: 'Back after the upgrade.' })));
    });

    it('sends delay-seconds with no-store', async () => {
      const res = await request(app).get('/seconds');
      expect(res.status).toBe(status);
      expect(res.headers['retry-after']).toBe('120');
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('tells a plain-text client when to come back, in the body too', async () => {
      const res = await request(app).get('/seconds').set('Accept', 'text/plain');
      expect(res.text).toContain('Retry after 120 seconds.');
    });

    it('sends an IMF-fixdate for a Date', async () => {
      const res = await request(app).get('/date');
      expect(res.headers['retry-after']).toBe('Thu, 02 Jan 2031 03:04:05 GMT');
      expect(problemOf(res).detail).toBe('Back after the upgrade.');
    });
  });

  describe('caching headers the route set before it threw', () => {
    const setCaching = (res: import('express').Response) =>
      res
        .set('Cache-Control', 'public, max-age=3600')
        .set('Expires', 'Thu, 01 Jan 2099 00:00:00 GMT')
        .set('ETag', '"v1"')
        .set('Last-Modified', 'Wed, 01 Jan 2020 00:00:00 GMT')
        .set('Content-Encoding', 'gzip')
        .set('Content-Language', 'de')
        .set('Content-Range', 'bytes 0-9/100')
        .set('Content-Disposition', 'attachment; filename="report.csv"')
        .set('Access-Control-Allow-Origin', '*');
    const app = appWith((a) => {
      a.get('/503', (_req, res) => {
        setCaching(res);
        throw new ServiceUnavailable();
      });
      a.get('/511', (_req, res) => {
        setCaching(res);
        throw new NetworkAuthenticationRequired();
      });
      a.get('/500', (_req, res) => {
        setCaching(res);
        throw new Error('x');
      });
    });

    it.each(['/503', '/511', '/500'])('do not survive on %s', async (path) => {
      const res = await request(app).get(path);
      for (const name of [
        'expires',
        'etag',
        'last-modified',
        'content-encoding',
        'content-language',
        'content-range',
        'content-disposition',
      ]) {
        expect(res.headers[name]).toBeUndefined();
      }
      expect(res.headers['cache-control']).toBe(path === '/500' ? undefined : 'no-store');
      problemOf(res);
    });

    it('leave the headers that still apply, such as CORS', async () => {
      const res = await request(app).get('/500');
      expect(res.headers['access-control-allow-origin']).toBe('*');
    });
  });

  describe("the error's own headers", () => {
    const app = appWith((a) => {
      a.get(
        '/own',
        throwing(new BadGateway({ headers: { 'X-Upstream': 'payments', Link: '</status>; rel="status"' } })),
      );
      // Headers put on one of our errors after construction, past its checks.
      a.get(
        '/hostile',
        throwing(
          Object.defineProperty(new BadGateway(), 'headers', {
            value: {
              'Content-Type': 'text/html',
              'Content-Length': '1',
              'Content-Encoding': 'gzip',
              'X-Undefined': undefined,
              'X-Split': 'a\r\nSet-Cookie: stolen=1',
              'X-Object': { a: 1 },
              'Bad Name': 'x',
              'Retry-After': 'tomorrow',
              Trailer: 'X-Checksum',
              Connection: 'upgrade',
              'X-Fine': 'yes',
            },
          }),
        ),
      );
      a.get('/retry', throwing(createError(429, { headers: { 'Retry-After': '30' } })));
      a.get(
        '/foreign',
        throwing(
          createError(405, {
            headers: { Allow: 'GET, HEAD', 'Set-Cookie': 'session=stolen', Location: 'http://internal/' },
          }),
        ),
      );
      a.get('/cache', throwing(new NotImplemented({ headers: { 'Cache-Control': 'max-age=86400' } })));
    });

    it('are sent', async () => {
      const res = await request(app).get('/own');
      expect(res.headers['x-upstream']).toBe('payments');
      expect(res.headers.link).toBe('</status>; rel="status"');
    });

    it('cannot override the body headers, and unsafe ones are dropped, not sent', async () => {
      const res = await request(app).get('/hostile');
      expect(res.status).toBe(502);
      expect(problemOf(res).title).toBe('Bad Gateway');
      expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.text));
      expect(res.headers['set-cookie']).toBeUndefined();
      for (const name of [
        'content-encoding',
        'x-undefined',
        'x-split',
        'x-object',
        'retry-after',
        'trailer',
      ]) {
        expect(res.headers[name]).toBeUndefined();
      }
      expect(res.headers.connection).not.toBe('upgrade');
      expect(res.headers['x-fine']).toBe('yes');
    });

    it('from an error that is not ours, are only those its status needs', async () => {
      const res = await request(app).get('/foreign');
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.headers.location).toBeUndefined();
    });

    it('make any response with a Retry-After no-store', async () => {
      const res = await request(app).get('/retry');
      expect(res.headers['retry-after']).toBe('30');
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('may choose the caching of a status that is not no-store', async () => {
      const res = await request(app).get('/cache');
      expect(res.headers['cache-control']).toBe('max-age=86400');
    });
  });

  describe('other errors', () => {
    const app = appWith((a) => {
      a.get('/plain', throwing(new Error('password=hunter2 at db.internal:5432')));
      a.get('/string', throwing('a thrown string'));
      a.get('/number', throwing(42));
      a.get('/object', throwing({ message: 'object message' }));
      a.get('/http-503', throwing(createError(503, 'internal reason')));
      a.get('/http-404', throwing(createError(404, 'No such order.')));
      a.get('/http-405', throwing(createError(405, { headers: { Allow: 'GET, HEAD' } })));
      a.get('/boom-503', throwing(Boom.serverUnavailable('boom internal')));
      a.get('/boom-429', throwing(Boom.tooManyRequests('Slow down.')));
      a.get('/enospc', throwing(Object.assign(new Error('ENOSPC: no space left'), { code: 'ENOSPC' })));
      a.get('/etimedout', throwing(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      a.get('/status-600', throwing(Object.assign(new Error('x'), { status: 600 })));
      // The wrapper the README gives Express 4 users for async handlers.
      const wrap =
        (fn: express5.RequestHandler): express5.RequestHandler =>
        (req, res, next) =>
          Promise.resolve(fn(req, res, next)).catch(next);
      a.get(
        '/wrapped',
        wrap(async () => {
          await Promise.resolve();
          throw new BadGateway();
        }),
      );
      a.get('/rejected', async () => {
        await Promise.resolve();
        throw new GatewayTimeout();
      });
    });

    it('turns a plain Error into a 500 that shows neither message nor stack', async () => {
      const res = await request(app).get('/plain');
      expect(res.status).toBe(500);
      expect(problemOf(res)).not.toHaveProperty('detail');
      expect(res.text).not.toMatch(/hunter2|db\.internal|at |\.ts:/);
    });

    it.each(['/string', '/number', '/object', '/status-600'])('turns %s into a 500', async (path) => {
      const res = await request(app).get(path);
      expect(res.status).toBe(500);
      expect(res.text).not.toMatch(/thrown string|object message/);
      problemOf(res);
    });

    it('keeps the status of an http-errors 5xx but not its message', async () => {
      const res = await request(app).get('/http-503');
      expect(res.status).toBe(503);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.text).not.toContain('internal reason');
    });

    it('renders a 4xx with its reason phrase and exposed message', async () => {
      const res = await request(app).get('/http-404');
      expect(res.status).toBe(404);
      // 404 is not in the catalog: no catalog rule forbids caching it.
      expect(res.headers['cache-control']).toBeUndefined();
      expect(problemOf(res)).toMatchObject({
        title: 'Not Found',
        detail: 'No such order.',
        type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.5',
      });
    });

    it("sends a 4xx error's headers", async () => {
      const res = await request(app).get('/http-405');
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
    });

    it('understands Boom errors', async () => {
      const unavailable = await request(app).get('/boom-503');
      expect(unavailable.status).toBe(503);
      expect(unavailable.text).not.toContain('boom internal');
      const tooMany = await request(app).get('/boom-429');
      expect(tooMany.status).toBe(429);
      expect(problemOf(tooMany)).toMatchObject({ title: 'Too Many Requests', detail: 'Slow down.' });
    });

    it('turns system errors into their status', async () => {
      expect((await request(app).get('/enospc')).status).toBe(507);
      expect((await request(app).get('/etimedout')).status).toBe(504);
    });

    it("reaches the handler from an async route through the README's wrapper", async () => {
      expect((await request(app).get('/wrapped')).status).toBe(502);
    });

    if (_version === 'Express 5') {
      it('catches a rejected async handler', async () => {
        expect((await request(app).get('/rejected')).status).toBe(504);
      });
    }
  });

  describe('map rules', () => {
    class DatabaseDown extends Error {}
    const app = appWith(
      (a) => {
        a.get('/db', throwing(new DatabaseDown('pool exhausted')));
        a.get('/aborted', throwing(Object.assign(new Error('x'), { code: 'ECONNABORTED' })));
        a.get('/upstream', throwing({ upstream: 'timeout' }));
      },
      {
        map: [
          [DatabaseDown, 503],
          ['ECONNABORTED', BadGateway],
          [
            (e: unknown) => (e as { upstream?: string }).upstream === 'timeout',
            (e) => new GatewayTimeout({ cause: e, detail: 'Upstream too slow.' }),
          ],
        ],
      },
    );

    it.each([
      ['/db', 503],
      ['/aborted', 502],
      ['/upstream', 504],
    ])('answers %s with %i', async (path, status) => {
      const res = await request(app).get(path);
      expect(res.status).toBe(status);
      expect(res.text).not.toContain('pool exhausted');
      problemOf(res);
    });
  });

  describe('connect-timeout', () => {
    const app = appWith((a) => {
      a.get('/slow', timeout(20), () => undefined);
    });

    it('answers its timeout with a 503, not the 504 its ETIMEDOUT code would say', async () => {
      const res = await request(app).get('/slow');
      expect(res.status).toBe(503);
      problemOf(res);
    });
  });

  describe('extensions', () => {
    const app = appWith((a) => {
      a.get(
        '/ext',
        throwing(new BadGateway({ extensions: { upstream: 'payments', attempts: 3, nested: { ok: true } } })),
      );
      a.get(
        '/polluting',
        throwing({
          status: 502,
          extensions: JSON.parse('{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}'),
          [Symbol.for('server-errors.ServerError')]: true,
        }),
      );
      a.get(
        '/511',
        throwing(new NetworkAuthenticationRequired({ loginUrl: 'https://wifi.example.com/login' })),
      );
    });

    it('are sent as members of the problem', async () => {
      const res = await request(app).get('/ext');
      expect(problemOf(res)).toMatchObject({ upstream: 'payments', attempts: 3, nested: { ok: true } });
    });

    it('never pollute a prototype', async () => {
      const res = await request(app).get('/polluting');
      expect(res.status).toBe(502);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(res.text).not.toContain('polluted');
    });

    it('point a 511 at the login URL', async () => {
      const res = await request(app).get('/511');
      expect(problemOf(res).loginUrl).toBe('https://wifi.example.com/login');
      expect(res.headers['cache-control']).toBe('no-store');
    });
  });

  describe('errors that fight back', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const throwingGetter = (key: string) =>
      Object.defineProperty(new Error('x'), key, {
        get() {
          throw new Error('getter');
        },
      });
    const app = appWith((a) => {
      a.get('/cycle', throwing(new BadGateway({ extensions: { cyclic } })));
      a.get('/bigint', throwing(new BadGateway({ extensions: { big: 10n } })));
      a.get(
        '/tojson',
        throwing(
          new BadGateway({
            extensions: {
              value: {
                toJSON() {
                  throw new Error('toJSON');
                },
              },
            },
          }),
        ),
      );
      a.get('/getter-status', throwing(throwingGetter('status')));
      a.get(
        '/getter-detail',
        throwing(
          Object.defineProperty(new ServiceUnavailable(), 'detail', {
            get() {
              throw new Error('detail getter');
            },
          }),
        ),
      );
      a.get(
        '/proxy',
        throwing(
          new Proxy(
            {},
            {
              get() {
                throw new Error('trap');
              },
              getPrototypeOf() {
                throw new Error('trap');
              },
              has() {
                throw new Error('trap');
              },
              ownKeys() {
                throw new Error('trap');
              },
            },
          ),
        ),
      );
      a.get('/null-proto', throwing(Object.assign(Object.create(null) as object, { status: 503 })));
    });

    it.each([
      ['/cycle', 502],
      ['/bigint', 502],
      ['/tojson', 502],
      ['/getter-status', 500],
      ['/getter-detail', 503],
      ['/proxy', 500],
      ['/null-proto', 503],
    ])('%s still gets a valid problem with status %i', async (path, status) => {
      const res = await request(app).get(path);
      expect(res.status).toBe(status);
      expect(problemOf(res)).toMatchObject({ status, title: expect.any(String) });
    });

    it('keeps the trace id on the bare problem sent when a member of the error throws', async () => {
      const res = await request(app).get('/getter-detail').set('X-Request-Id', 'req-7');
      expect(problemOf(res)).toMatchObject({ status: 503, traceId: 'req-7' });
    });
  });

  describe('when the headers were already sent', () => {
    it('writes nothing and hands the error to Express, which closes the connection', async () => {
      const logged: unknown[] = [];
      const app = appWith(
        (a) => {
          a.get('/partial', (_req, res) => {
            res.status(200).set('Content-Type', 'text/plain');
            res.write('partial body');
            throw new Error('mid-stream');
          });
        },
        { log: (record) => logged.push(record.status) },
      );
      const outcome = await request(app)
        .get('/partial')
        .then(
          (res) => ({ status: res.status, text: res.text }),
          (error: Error) => ({ error: error.message }),
        );
      expect(outcome).not.toMatchObject({ text: expect.stringContaining('problem') });
      if ('status' in outcome) expect(outcome.status).toBe(200);
      expect(logged).toEqual([500]);
    });
  });

  describe('an unread request body', () => {
    const app = express();
    app.post('/ignore', throwing(new ServiceUnavailable(5)));
    app.post('/limited', express.json({ limit: '1kb' }), (_req, res) => {
      res.send('never');
    });
    app.use(serverErrors());

    it('does not hang the response of a route that never read it', async () => {
      const res = await request(app)
        .post('/ignore')
        .set('Content-Type', 'application/octet-stream')
        .send(Buffer.alloc(2 * 1024 * 1024, 1));
      expect(res.status).toBe(503);
    });

    it('does not hang the response of a parser that gave up on it (413)', async () => {
      const res = await request(app)
        .post('/limited')
        .set('Content-Type', 'application/json')
        .send(`{"a":"${'x'.repeat(512 * 1024)}"}`);
      expect(res.status).toBe(413);
      expect(problemOf(res).title).toBe('Payload Too Large');
    });

    it('keeps the connection usable for the next request', async () => {
      const agent = request.agent(app);
      const first = await agent.post('/ignore').send(Buffer.alloc(256 * 1024, 1));
      const second = await agent.post('/ignore').send('{}');
      expect([first.status, second.status]).toEqual([503, 503]);
    });

    it.each([
      [
        // pipe() stops reading when its destination fails, leaving the rest unread.
        'a disk that fills up at the first chunk',
        507,
        (next: (err: unknown) => void) => {
          const disk = new Writable({
            write(_chunk, _encoding, callback) {
              callback(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
            },
          });
          disk.on('error', next);
          return disk;
        },
      ],
      [
        // Still piped into a destination that never drains: only unpiping lets the body flow.
        'a store that stalls while the route gives up',
        503,
        (next: (err: unknown) => void) =>
          new Writable({
            highWaterMark: 1,
            write() {
              next(new ServiceUnavailable(5));
            },
          }),
      ],
    ])(
      'reads off an upload cut short by %s, so its connection serves the next request',
      async (_what, status, sink) => {
        const upload = express();
        upload.post('/upload', (req, _res, next) => {
          req.pipe(sink(next));
        });
        upload.get('/ok', (_req, res) => {
          res.send('ok');
        });
        upload.use(serverErrors({ log: false }));
        const server = await listenLocally(upload);
        const agent = new Agent({ keepAlive: true, maxSockets: 1 });
        const send = async (method: string, path: string, body?: Buffer) => {
          const req = httpRequest(`${urlOf(server)}${path}`, { method, agent });
          if (body) {
            // The rest of the body follows once the server is already answering.
            req.write(body.subarray(0, 16));
            setTimeout(() => req.end(body.subarray(16)), 50);
          } else req.end();
          const [res] = (await once(req, 'response')) as [IncomingMessage];
          res.resume();
          await once(res, 'end');
          return res.statusCode;
        };
        try {
          expect(await send('POST', '/upload', Buffer.alloc(512 * 1024, 1))).toBe(status);
          expect(await send('GET', '/ok')).toBe(200);
        } finally {
          agent.destroy();
          await closeServers();
        }
      },
    );
  });

  describe('logging', () => {
    it('calls log once per 5xx with the record and the request, and never for a 4xx', async () => {
      const calls: Array<[unknown, unknown]> = [];
      const thrown = new ServiceUnavailable(1);
      const app = appWith(
        (a) => {
          a.get('/503', throwing(thrown));
          a.get('/404', throwing(createError(404)));
        },
        { log: (record, req) => calls.push([record, req.url]) },
      );
      await request(app).get('/503?secret=1');
      await request(app).get('/404');
      expect(calls).toEqual([
        [
          { status: 503, method: 'GET', path: '/503', traceId: expect.any(String), err: thrown },
          '/503?secret=1',
        ],
      ]);
    });

    it('leaves traceId out of the record when trace ids are off', async () => {
      const records: unknown[] = [];
      const thrown = new Error('x');
      const app = appWith((a) => a.get('/x', throwing(thrown)), {
        traceId: false,
        log: (record) => records.push(record),
      });
      await request(app).get('/x');
      expect(records).toEqual([{ status: 500, method: 'GET', path: '/x', err: thrown }]);
    });

    it('writes one line with status, method, path and the stack to stderr by default', async () => {
      const env = process.env.NODE_ENV;
      process.env.NODE_ENV = 'production';
      const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        const app = appWith((a) => a.get('/x', throwing(new Error('kaput'))));
        await request(app).get('/x?q=1');
        const line = String(write.mock.calls[0]?.[0]);
        expect(write).toHaveBeenCalledTimes(1);
        expect(line).toMatch(/^serverErrors: 500 GET \/x \[[0-9a-f]{32}\] Error: kaput\n {4}at /);
      } finally {
        write.mockRestore();
        process.env.NODE_ENV = env;
      }
    });

    it("does not log a guard's deliberate refusal", async () => {
      const records: unknown[] = [];
      const app = express();
      app.use(maintenance({ retryAfter: 60 }));
      app.use(serverErrors({ log: (record) => records.push(record) }));
      const res = await request(app).get('/');
      expect(res.status).toBe(503);
      expect(records).toEqual([]);
    });

    it('logs a failure once per response, even when the error comes back after its answer', async () => {
      const records: unknown[] = [];
      const thrown = new GatewayTimeout();
      const app = express();
      app.get('/', (_req, res, next) => {
        next(thrown);
        // A route that learns of the failure late and passes it on again.
        setImmediate(() => next(thrown));
        res.on('finish', () => undefined);
      });
      app.use(serverErrors({ log: (record) => records.push(record.status) }));
      const agent = request.agent(app);
      expect((await agent.get('/')).status).toBe(504);
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(records).toEqual([504]);
      expect((await agent.get('/')).status).toBe(504);
      await new Promise((resolve) => setImmediate(resolve));
      expect(records).toEqual([504, 504]);
    });

    it('writes a catalog error thrown on purpose as one line, without its stack', async () => {
      const env = process.env.NODE_ENV;
      process.env.NODE_ENV = 'production';
      const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        const app = appWith((a) => {
          a.get('/503', throwing(new ServiceUnavailable(5, { message: 'db failover' })));
          a.get('/caused', throwing(new BadGateway({ cause: new Error('socket hang up') })));
        });
        await request(app).get('/503').set('X-Request-Id', 'req-1');
        await request(app).get('/caused');
        expect(String(write.mock.calls[0]?.[0])).toBe(
          'serverErrors: 503 GET /503 [req-1] ServiceUnavailable: db failover\n',
        );
        const caused = String(write.mock.calls[1]?.[0]);
        expect(caused).toMatch(/^serverErrors: 502 GET \/caused \[\w+\] BadGateway: Bad Gateway\n {4}at /);
        expect(caused).toMatch(/\n\[cause\]: Error: socket hang up\n\s+at /);
      } finally {
        write.mockRestore();
        process.env.NODE_ENV = env;
      }
    });

    it('survives a log function that throws', async () => {
      const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
      const app = appWith((a) => a.get('/x', throwing(new Error('x'))), {
        log: () => {
          throw new Error('logger down');
        },
      });
      expect((await request(app).get('/x')).status).toBe(500);
      expect(String(warn.mock.calls[0]?.[0])).toContain('logger down');
      warn.mockRestore();
    });

    it('warns once per middleware about a failing log function, with a stable code', async () => {
      const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
      const app = appWith((a) => a.get('/x', throwing(new Error('x'))), {
        log: () => {
          throw undefined;
        },
      });
      await request(app).get('/x');
      expect((await request(app).get('/x')).status).toBe(500);
      expect(warn.mock.calls).toEqual([
        ['serverErrors(): the log function threw: undefined', { code: 'SERVER_ERRORS_LOG' }],
      ]);
      warn.mockRestore();
    });
  });

  describe('installed without the call', () => {
    it('answers route errors as serverErrors() with the default options', async () => {
      const app = express();
      app.get('/', throwing(new ServiceUnavailable(120)));
      app.use(serverErrors);
      const res = await request(app).get('/');
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('120');
      expect(problemOf(res)).toMatchObject({ status: 503, instance: '/' });
    });

    it('leaves requests no route answered to the router', async () => {
      const app = express();
      app.use(serverErrors);
      expect((await request(app).get('/missing')).status).toBe(404);
    });
  });

  describe('the nonStandard option', () => {
    it('answers a read timeout behind fetch failed with 598 instead of 504', async () => {
      const headersTimeout = Object.assign(new Error('Headers Timeout Error'), {
        code: 'UND_ERR_HEADERS_TIMEOUT',
      });
      const route = (a: ReturnType<typeof express>) =>
        a.get('/x', throwing(new TypeError('fetch failed', { cause: headersTimeout })));
      expect((await request(appWith(route)).get('/x')).status).toBe(504);
      const res = await request(appWith(route, { nonStandard: true })).get('/x');
      expect(res.status).toBe(598);
      expect(problemOf(res).title).toBe('Network Read Timeout Error');
    });
  });

  describe('the types option', () => {
    it('sends about:blank when asked to', async () => {
      const app = appWith((a) => a.get('/x', throwing(new ServiceUnavailable())), { types: 'about:blank' });
      expect(problemOf(await request(app).get('/x')).type).toBe('about:blank');
    });
  });
});

describe('serverErrors() once the headers are sent', () => {
  const handler = serverErrors({ log: false, traceId: false });
  const req = { method: 'GET', url: '/x', headers: {} } as never;
  const sent = (writableEnded: boolean) => ({
    headersSent: true,
    writableEnded,
    destroy: jest.fn(),
    end: jest.fn(),
  });

  it('passes the error on to next when the response was cut off half-way', () => {
    const res = sent(false);
    const next = jest.fn();
    const thrown = new Error('mid-stream');
    handler(thrown, req, res as never, next);
    expect(next).toHaveBeenCalledWith(thrown);
    expect(res.destroy).not.toHaveBeenCalled();
  });

  it('closes a response cut off half-way itself when there is no next', () => {
    const res = sent(false);
    handler(new Error('mid-stream'), req, res as never);
    expect(res.destroy).toHaveBeenCalledTimes(1);
  });

  it('leaves a complete response alone, so its keep-alive connection survives', () => {
    const res = sent(true);
    const next = jest.fn();
    handler(new Error('late'), req, res as never, next);
    expect(next).not.toHaveBeenCalled();
    expect(res.destroy).not.toHaveBeenCalled();
    expect(res.end).not.toHaveBeenCalled();
  });

  it('logs one failure per response, however often the error reaches it', () => {
    const log = jest.fn();
    const logging = serverErrors({ log, traceId: false });
    const del = { method: 'DELETE', url: '/x', headers: {} } as never;
    const res = sent(true);
    const thrown = new Error('late');
    logging(thrown, del, res as never);
    logging(thrown, del, res as never);
    expect(log.mock.calls).toEqual([[{ status: 500, method: 'DELETE', path: '/x', err: thrown }, del]]);
  });
});
