import { request as rawRequest, type Server } from 'node:http';

import axios from 'axios';
import type express5 from 'express';
import createError from 'http-errors';
import request from 'supertest';
import { Agent as UndiciAgent, interceptors, request as undiciRequest } from 'undici';

import { BadGateway, InternalServerError, ServiceUnavailable } from '../../src/errors/classes';
import { HEADER_LIMITS } from '../../src/http/headers';
import { serverErrors } from '../../src/node/middleware';
import type { ServerErrorsOptions } from '../../src/node/options';
import { PLAIN_LIMITS } from '../../src/util/plain-value';
import { expressVersions, throwing } from '../helpers/apps';
import { closeServers, listenLocally, urlOf } from '../helpers/local-server';
import { problemOf } from '../helpers/problem';

afterEach(closeServers);

/** One of our errors whose `status` answers `first`, then each of `later` in turn. */
function shiftingStatus(first: unknown, later: unknown): InternalServerError {
  const error = new InternalServerError({ detail: 'Shifty.' });
  let reads = 0;
  Object.defineProperty(error, 'status', {
    get() {
      reads++;
      if (reads === 1) return first;
      if (later instanceof Error) throw later;
      return later;
    },
  });
  return error;
}

/** One of our errors carrying `headers` that never passed its constructor's checks. */
function withRawHeaders(headers: Record<string, unknown>): BadGateway {
  return Object.defineProperty(new BadGateway(), 'headers', { value: headers });
}

const ACCEPTS = [
  'application/problem+json',
  'application/json',
  'application/problem+xml',
  'text/html',
  'text/plain',
];

describe.each(expressVersions)('hostile errors on %s', (_version, express) => {
  function appWith(route: (app: express5.Express) => void, options: ServerErrorsOptions = { log: false }) {
    const app = express() as unknown as express5.Express;
    route(app);
    app.use(serverErrors(options));
    return app;
  }

  describe('a status read once', () => {
    it('answers with the first reading when the getter throws afterwards, and never with Express’s page', async () => {
      const app = appWith((a) => a.get('/', throwing(shiftingStatus(500, new Error('secret')))));
      const res = await request(app).get('/');
      expect(res.status).toBe(500);
      expect(problemOf(res)).toMatchObject({ status: 500, detail: 'Shifty.' });
      expect(res.text).not.toContain('secret');
    });

    it.each([undefined, 42, 1000, '503', 503.5])(
      'answers the first reading when later readings give %p',
      async (later) => {
        const app = appWith((a) => a.get('/', throwing(shiftingStatus(503, later))));
        const res = await request(app).get('/').timeout(5000);
        expect(res.status).toBe(503);
        expect(problemOf(res).status).toBe(503);
      },
    );

    it('logs the status it answered, from the same reading', async () => {
      const statuses: number[] = [];
      const app = appWith((a) => a.get('/', throwing(shiftingStatus(502, 42))), {
        log: (record) => statuses.push(record.status),
      });
      expect((await request(app).get('/')).status).toBe(502);
      expect(statuses).toEqual([502]);
    });
  });

  describe('every format carries the same problem', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    let deep: Record<string, unknown> = { bottom: true };
    for (let i = 0; i < 40; i++) deep = { next: deep };
    const app = appWith((a) => {
      a.get('/', throwing(new BadGateway({ extensions: { keep: 'kept-value', cyclic, big: 10n, deep } })));
    });

    it('keeps traceId and every serialisable extension in problem+json and json', async () => {
      for (const accept of ['application/problem+json', 'application/json']) {
        const res = await request(app).get('/').set('Accept', accept).set('X-Request-Id', 'req-42');
        const body = JSON.parse(res.text) as Record<string, unknown>;
        expect(body).toMatchObject({
          status: 502,
          traceId: 'req-42',
          keep: 'kept-value',
          big: '10',
          cyclic: { name: 'loop' },
        });
        expect(JSON.stringify(body.deep)).toContain('next');
      }
    });

    it.each(ACCEPTS)('shows the trace id and the members in %s', async (accept) => {
      const res = await request(app).get('/').set('Accept', accept).set('X-Request-Id', 'req-42');
      expect(res.text).toContain('req-42');
      expect(res.text).toContain('kept-value');
      expect(res.text).toContain('loop');
    });
  });

  describe('bounds', () => {
    // The most any format makes of one character: a quote in a nested value is
    // JSON's \" on the HTML page, escaped again as \&quot;.
    const MAX_BODY = 7 * PLAIN_LIMITS.chars + 100_000;

    it.each([
      ['a sparse array of two million slots', () => new Array(2_000_000)],
      ['three million control characters', () => '\u0001'.repeat(3_000_000)],
      ['a million short strings', () => Array.from({ length: 1_000_000 }, (_, i) => `v${i}`)],
      ['two million quotes in a nested value', () => ({ inner: '"'.repeat(2_000_000) })],
    ])('keep a body within its limits for %s, in every format', async (_what, make) => {
      const error = new BadGateway({ extensions: { big: make() as unknown } });
      const app = appWith((a) => a.get('/', throwing(error)));
      for (const accept of ACCEPTS) {
        const res = await request(app).get('/').set('Accept', accept);
        expect(res.status).toBe(502);
        expect(Buffer.byteLength(res.text)).toBeLessThanOrEqual(MAX_BODY);
      }
    });

    it('drop an error header longer than a value may be, so Node and undici clients can read the answer', async () => {
      const app = appWith((a) => {
        a.get('/', throwing(withRawHeaders({ 'X-Huge': 'x'.repeat(16_000), 'X-Small': 'kept' })));
      });
      const server = await listenLocally(app);
      const res = await fetch(`${urlOf(server)}/`);
      expect(res.status).toBe(502);
      expect(res.headers.get('x-huge')).toBeNull();
      expect(res.headers.get('x-small')).toBe('kept');
      expect(((await res.json()) as { status: number }).status).toBe(502);
    });

    it('keep all of an error’s headers within their total', async () => {
      const value = 'v'.repeat(HEADER_LIMITS.value - 10);
      const app = appWith((a) => {
        a.get('/', throwing(withRawHeaders({ 'X-A': value, 'X-B': value, 'X-C': value, 'X-D': 'small' })));
      });
      const res = await request(app).get('/');
      expect(res.headers['x-a']).toBe(value);
      expect(res.headers['x-b']).toBe(value);
      expect(res.headers['x-c']).toBeUndefined();
      expect(res.headers['x-d']).toBe('small');
    });
  });

  describe('an error’s own Vary', () => {
    it('is merged with Accept when it lists field names', async () => {
      const app = appWith((a) => a.get('/', throwing(withRawHeaders({ Vary: 'Origin' }))));
      expect((await request(app).get('/')).headers.vary).toBe('Origin, Accept');
    });

    it('is left out when it lists something else, and Accept is still sent', async () => {
      const app = appWith((a) => a.get('/', throwing(withRawHeaders({ Vary: 'Accept-Language;q=1' }))));
      expect((await request(app).get('/')).headers.vary).toBe('Accept');
    });
  });

  describe('headers Node refuses only when it writes the head', () => {
    it('answers without a Trailer an error asks for', async () => {
      const app = appWith((a) =>
        a.get('/', throwing(withRawHeaders({ Trailer: 'X-Checksum', 'X-Kept': 'yes' }))),
      );
      const res = await request(app).get('/').timeout(5000);
      expect(res.status).toBe(502);
      expect(res.headers.trailer).toBeUndefined();
      expect(res.headers['x-kept']).toBe('yes');
    });

    it('answers without the Trailer the route set before it threw', async () => {
      const app = appWith((a) =>
        a.get('/', (_req, res) => {
          res.setHeader('Trailer', 'X-Checksum');
          throw new ServiceUnavailable(5);
        }),
      );
      const res = await request(app).get('/').timeout(5000);
      expect(res.status).toBe(503);
      expect(res.headers.trailer).toBeUndefined();
    });

    it('answers without the error’s own headers when Node refuses the head with them', async () => {
      const app = appWith((a) =>
        a.get('/', (_req, res) => {
          const { writeHead } = res;
          let refused = false;
          // What Node does with a header it only checks in the head.
          res.writeHead = function (this: typeof res, ...args: Parameters<typeof writeHead>) {
            if (!refused && this.getHeader('x-refused') !== undefined) {
              refused = true;
              throw Object.assign(new TypeError('refused'), { code: 'ERR_HTTP_TRAILER_INVALID' });
            }
            return writeHead.apply(this, args);
          } as typeof writeHead;
          throw new ServiceUnavailable(7, { headers: { 'X-Refused': 'yes' } });
        }),
      );
      const res = await request(app).get('/').timeout(5000);
      expect(res.status).toBe(503);
      expect(res.headers['x-refused']).toBeUndefined();
      expect(res.headers['cache-control']).toBe('no-store');
      expect(problemOf(res).status).toBe(503);
    });
  });

  describe('errors that carry an upstream’s response', () => {
    let upstream: Server;
    const leaky = {
      'Set-Cookie': 'upstream-session=1',
      Location: 'http://payments.internal/retry',
      'Access-Control-Allow-Origin': '*',
      'Retry-After': '5',
      'X-Internal-Host': 'payments-7.internal',
    };

    beforeEach(async () => {
      upstream = await listenLocally((req, res) => {
        res.writeHead(Number(req.url?.slice(1)), leaky);
        res.end('upstream says no');
      });
    });

    const leakedNone = (res: request.Response) => {
      for (const name of Object.keys(leaky)) expect(res.headers[name.toLowerCase()]).toBeUndefined();
      expect(res.text).not.toContain('upstream says no');
    };

    it.each([
      [503, 502],
      [500, 502],
      [404, 500],
    ])(
      'answers an undici ResponseError for an upstream %i with %i and none of its headers',
      async (status, answered) => {
        const dispatcher = new UndiciAgent().compose(interceptors.responseError());
        const app = appWith((a) =>
          a.get('/', async (_req, _res, next) => {
            try {
              await undiciRequest(`${urlOf(upstream)}/${status}`, { dispatcher });
            } catch (error) {
              next(error);
            }
          }),
        );
        try {
          const res = await request(app).get('/');
          expect(res.status).toBe(answered);
          expect(problemOf(res).status).toBe(answered);
          leakedNone(res);
        } finally {
          await dispatcher.close();
        }
      },
    );

    it('answers an axios error for an upstream 503 with 502 and none of its headers', async () => {
      const app = appWith((a) =>
        a.get('/', async (_req, _res, next) => {
          try {
            await axios.get(`${urlOf(upstream)}/503`);
          } catch (error) {
            next(error);
          }
        }),
      );
      const res = await request(app).get('/');
      expect(res.status).toBe(502);
      leakedNone(res);
    });

    it('lets a map rule choose another status for the upstream failure', async () => {
      const dispatcher = new UndiciAgent().compose(interceptors.responseError());
      const app = appWith(
        (a) =>
          a.get('/', async (_req, _res, next) => {
            try {
              await undiciRequest(`${urlOf(upstream)}/503`, { dispatcher });
            } catch (error) {
              next(error);
            }
          }),
        { log: false, map: [['UND_ERR_RESPONSE', 503]] },
      );
      try {
        const res = await request(app).get('/');
        expect(res.status).toBe(503);
        leakedNone(res);
      } finally {
        await dispatcher.close();
      }
    });

    it('forwards from an http-errors 503 only its Retry-After', async () => {
      const app = appWith((a) => a.get('/', throwing(createError(503, { headers: leaky }))));
      const res = await request(app).get('/');
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      for (const name of ['set-cookie', 'location', 'access-control-allow-origin', 'x-internal-host']) {
        expect(res.headers[name]).toBeUndefined();
      }
    });
  });

  describe('a client that goes away', () => {
    it('is neither answered nor logged when the route fails because its request was aborted', async () => {
      const logged: unknown[] = [];
      const slow = await listenLocally(() => undefined);
      const failed = new Promise<unknown>((resolve) => {
        const app = appWith(
          (a) =>
            a.get('/', (req, _res, next) => {
              const controller = new AbortController();
              req.socket.once('close', () => controller.abort());
              fetch(`${urlOf(slow)}/`, { signal: controller.signal }).then(undefined, (error: unknown) => {
                next(error);
                setImmediate(resolve, error);
              });
            }),
          { log: (record) => logged.push(record) },
        );
        void listenLocally(app).then((server) => {
          const client = new AbortController();
          fetch(`${urlOf(server)}/`, { signal: client.signal }).catch(() => undefined);
          setTimeout(() => client.abort(), 100);
        });
      });
      expect(await failed).toMatchObject({ name: 'AbortError' });
      expect(logged).toEqual([]);
    });

    it('is not logged when its upload is cut off half-way', async () => {
      const logged: unknown[] = [];
      const settled = new Promise<void>((resolve) => {
        const app = appWith(
          (a) =>
            a.post('/', (req, _res, next) => {
              req.on('error', (error) => {
                next(error);
                setImmediate(resolve);
              });
              req.resume();
            }),
          { log: (record) => logged.push(record) },
        );
        void listenLocally(app).then((server) => {
          const upload = rawRequest(`${urlOf(server)}/`, {
            method: 'POST',
            headers: { 'Content-Length': '1000' },
          });
          upload.on('error', () => undefined);
          upload.write('x'.repeat(10));
          setTimeout(() => upload.destroy(), 50);
        });
      });
      await settled;
      expect(logged).toEqual([]);
    });

    it('still logs a real failure of the route, whatever the client did', async () => {
      const logged: number[] = [];
      const app = appWith((a) => a.get('/', throwing(new TypeError('bug'))), {
        log: (record) => logged.push(record.status),
      });
      const server = await listenLocally(app);
      await fetch(`${urlOf(server)}/`);
      expect(logged).toEqual([500]);
    });
  });
});
