import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { connect as connectHttp2, createServer as createHttp2Server, Http2ServerResponse } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { Middleware } from 'koa';
import request from 'supertest';

import { catalog } from '../../src/catalog/catalog';
import { errorClasses, ServiceUnavailable } from '../../src/errors/classes';
import { serverErrors, type ServerErrorsOptions } from '../../src/koa';
import { serverErrors as nodeServerErrors } from '../../src/node/middleware';
import type { ErrorLogRecord } from '../../src/options';
import { caught } from '../helpers/caught';
import { closeServers, listenLocally, urlOf } from '../helpers/local-server';
import { problemOf } from '../helpers/problem';
import { koaVersions } from './versions';

/** A response read to its end or to its cut: whether it was complete, and what came. */
function readToTheEnd(url: string): Promise<{ status: number; body: string; complete: boolean }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('error', () => undefined);
      res.on('close', () => resolve({ status: res.statusCode ?? 0, body, complete: res.complete }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Runs `fn` with `NODE_ENV` set as in production, where the default logger is on. */
async function inProduction<T>(fn: () => Promise<T>): Promise<T> {
  const env = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    return await fn();
  } finally {
    process.env.NODE_ENV = env;
  }
}

/** One GET over cleartext HTTP/2 to a server running `callback`. */
async function h2Get(
  callback: Parameters<typeof createHttp2Server>[1],
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const server = createHttp2Server(callback);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = connectHttp2(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  try {
    const stream = client.request({ ':path': '/report' });
    const [headers] = (await once(stream, 'response')) as [Record<string, unknown>];
    let body = '';
    stream.on('data', (chunk: Buffer) => (body += String(chunk)));
    await once(stream, 'end');
    return { status: Number(headers[':status']), headers, body };
  } finally {
    client.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe.each(koaVersions)('serverErrors() on %s', (_version, Koa) => {
  const logged: ErrorLogRecord[] = [];

  function appWith(route: Middleware, options: ServerErrorsOptions = { log: (r) => logged.push(r) }) {
    const app = new Koa();
    app.use(serverErrors(options));
    app.use(route);
    return app;
  }

  beforeEach(() => {
    logged.length = 0;
  });
  afterEach(closeServers);

  describe('for what ctx.throw throws', () => {
    it('answers ctx.throw(503, message) with a 503 problem that keeps the message private', async () => {
      const app = appWith((ctx) => ctx.throw(503, 'database failover in progress'));
      const res = await request(app.callback()).get('/report');
      expect(res.status).toBe(503);
      expect(problemOf(res)).toMatchObject({ title: 'Service Unavailable', instance: '/report' });
      expect(res.text).not.toContain('failover');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(logged.map((record) => record.status)).toEqual([503]);
    });

    it('answers ctx.throw(404, message) with the message as the detail, unlogged', async () => {
      const app = appWith((ctx) => ctx.throw(404, 'No such order.'));
      const res = await request(app.callback()).get('/orders/7');
      expect(res.status).toBe(404);
      expect(problemOf(res)).toMatchObject({ title: 'Not Found', detail: 'No such order.' });
      expect(logged).toEqual([]);
    });

    it('sends the reason phrase of the catalog, even where Node knows none (599)', async () => {
      const app = appWith(() => {
        throw new errorClasses[599]();
      });
      const res = await request(app.callback()).get('/');
      expect(res.status).toBe(599);
      expect((res as unknown as { res: { statusMessage: string } }).res.statusMessage).toBe(
        catalog[599].title,
      );
    });
  });

  describe('for a request no middleware answered', () => {
    it("answers Koa's bodiless 404 with a 404 problem, the path without its query as instance", async () => {
      const app = appWith(async (_ctx, next) => {
        await next();
      });
      const res = await request(app.callback()).get('/nowhere?token=secret');
      expect(res.status).toBe(404);
      expect(problemOf(res)).toMatchObject({ title: 'Not Found', status: 404, instance: '/nowhere' });
      expect(res.text).not.toContain('secret');
      expect(res.headers.vary).toBe('Accept');
      expect(logged).toEqual([]);
    });

    it('answers it in the format the client accepts', async () => {
      const app = appWith(() => undefined);
      const res = await request(app.callback()).get('/nowhere').set('Accept', 'text/html');
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.text).toContain('404 Not Found');
    });

    it('leaves alone a 404 a route gave a body of its own', async () => {
      const app = appWith((ctx) => {
        ctx.status = 404;
        ctx.body = { error: 'our own words' };
      });
      const res = await request(app.callback()).get('/orders/7');
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.body).toEqual({ error: 'our own words' });
    });

    it('leaves alone a response a route writes itself later (ctx.respond = false)', async () => {
      const app = appWith((ctx) => {
        ctx.respond = false;
        setImmediate(() => {
          ctx.res.statusCode = 404;
          ctx.res.end('written by hand');
        });
      });
      const res = await request(app.callback()).get('/raw');
      expect(res.status).toBe(404);
      expect(res.text).toBe('written by hand');
    });
  });

  describe('over what the route set before it threw', () => {
    it('removes the stale ETag, Last-Modified and Cache-Control, and keeps its CORS headers and Vary', async () => {
      const app = appWith((ctx) => {
        ctx.etag = 'v1';
        ctx.lastModified = new Date(Date.UTC(2030, 0, 1));
        ctx.set('Cache-Control', 'public, max-age=600');
        ctx.set('Access-Control-Allow-Origin', 'https://app.example.com');
        ctx.vary('Origin');
        throw new errorClasses[500]();
      });
      const res = await request(app.callback()).get('/page');
      expect(res.status).toBe(500);
      expect(res.headers.etag).toBeUndefined();
      expect(res.headers['last-modified']).toBeUndefined();
      expect(res.headers['cache-control']).toBeUndefined();
      expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
      expect(res.headers.vary).toBe('Origin, Accept');
    });

    it('replaces the Cache-Control of the route with no-store for a 503', async () => {
      const app = appWith((ctx) => {
        ctx.set('Cache-Control', 'public, max-age=600');
        throw new ServiceUnavailable(30);
      });
      const res = await request(app.callback()).get('/page');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['retry-after']).toBe('30');
    });

    it('replaces the body the route set, and the Content-Type and length Koa chose for it', async () => {
      const app = appWith((ctx) => {
        ctx.body = '<p>half a page</p>';
        throw new ServiceUnavailable(30);
      });
      const res = await request(app.callback()).get('/page');
      expect(res.status).toBe(503);
      expect(problemOf(res).status).toBe(503);
      expect(res.text).not.toContain('half a page');
      expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.text));
    });

    it('answers a route that meant to write the response itself but failed before it did', async () => {
      const app = appWith((ctx) => {
        ctx.respond = false;
        throw new ServiceUnavailable(30);
      });
      const res = await request(app.callback()).get('/raw');
      expect(res.status).toBe(503);
      expect(problemOf(res).status).toBe(503);
    });

    it('answers a POST whose body the route had read before it failed', async () => {
      const app = appWith(async (ctx) => {
        for await (const _chunk of ctx.req) void _chunk;
        throw new ServiceUnavailable(30);
      });
      const res = await request(app.callback()).post('/orders').send({ item: 'book' });
      expect(res.status).toBe(503);
      expect(problemOf(res).status).toBe(503);
    });
  });

  describe('for HEAD', () => {
    it('answers with the headers of GET, the same Content-Length included, and no body', async () => {
      const app = appWith(() => {
        throw new ServiceUnavailable(30);
      });
      const get = await request(app.callback()).get('/report').set('X-Request-Id', 'req-1');
      const head = await request(app.callback()).head('/report').set('X-Request-Id', 'req-1');
      expect(head.status).toBe(503);
      for (const name of [
        'content-type',
        'content-length',
        'cache-control',
        'retry-after',
        'vary',
        'x-content-type-options',
      ]) {
        expect([name, head.headers[name]]).toEqual([name, get.headers[name]]);
      }
      expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
      expect(head.text ?? '').toBe('');
    });

    it('answers an unmatched HEAD with the 404 headers of GET and no body', async () => {
      const app = appWith(() => undefined);
      const get = await request(app.callback()).get('/nowhere').set('X-Request-Id', 'req-1');
      const head = await request(app.callback()).head('/nowhere').set('X-Request-Id', 'req-1');
      expect(head.status).toBe(404);
      expect(head.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(head.headers['content-length']).toBe(get.headers['content-length']);
      expect(head.text ?? '').toBe('');
    });
  });

  describe('over HTTP/2', () => {
    it('answers with the problem and sets no reason phrase, which HTTP/2 has not', async () => {
      const setter = jest.spyOn(Http2ServerResponse.prototype, 'statusMessage', 'set');
      try {
        const app = appWith(() => {
          throw new ServiceUnavailable(30);
        });
        const res = await h2Get(app.callback() as never);
        expect(res.status).toBe(503);
        expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
        expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.body));
        expect(JSON.parse(res.body)).toMatchObject({ status: 503, instance: '/report' });
        expect(setter).not.toHaveBeenCalled();
      } finally {
        setter.mockRestore();
      }
    });
  });

  describe('when the response has already started', () => {
    it('cuts it off, logs the failure once and sends no second answer', async () => {
      const reported = jest.fn();
      const app = appWith(async (ctx) => {
        ctx.status = 200;
        ctx.type = 'text/plain';
        ctx.flushHeaders();
        ctx.res.write('partial ');
        await new Promise((resolve) => setImmediate(resolve));
        throw new Error('the stream broke');
      });
      app.on('error', reported);
      const server = await listenLocally(app.callback());
      const res = await readToTheEnd(`${urlOf(server)}/stream`);
      expect(res).toEqual({ status: 200, body: 'partial ', complete: false });
      expect(logged.map((record) => [record.status, record.path])).toEqual([[500, '/stream']]);
      expect(reported).not.toHaveBeenCalled();
    });

    it('leaves a response the route completed alone, and logs the failure', async () => {
      const app = appWith((ctx) => {
        ctx.res.end('done');
        throw new Error('after the end');
      });
      const server = await listenLocally(app.callback());
      const res = await readToTheEnd(`${urlOf(server)}/done`);
      expect(res).toEqual({ status: 404, body: 'done', complete: true });
      expect(logged.map((record) => record.status)).toEqual([500]);
    });
  });

  describe('the default log', () => {
    it("reports each 5xx once on the app's error event, and Koa prints nothing of its own", async () => {
      const print = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        const thrown = new ServiceUnavailable(30);
        const reported: Array<[unknown, string]> = [];
        const app = await inProduction(async () =>
          appWith(() => {
            throw thrown;
          }, {}),
        );
        app.on('error', (err: unknown, ctx: { path: string }) => reported.push([err, ctx.path]));
        expect((await request(app.callback()).get('/report')).status).toBe(503);
        expect((await request(app.callback()).get('/again')).status).toBe(503);
        expect(reported).toEqual([
          [thrown, '/report'],
          [thrown, '/again'],
        ]);
        expect(print).not.toHaveBeenCalled();
      } finally {
        print.mockRestore();
      }
    });

    it('reports no 4xx', async () => {
      const reported = jest.fn();
      const app = await inProduction(async () => appWith((ctx) => ctx.throw(404, 'No such order.'), {}));
      app.on('error', reported);
      expect((await request(app.callback()).get('/orders/7')).status).toBe(404);
      expect(reported).not.toHaveBeenCalled();
    });

    it("lets Koa's own onerror print a 5xx once when the app has no listener, a thrown string included", async () => {
      const print = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
      try {
        const app = await inProduction(async () =>
          appWith(() => {
            throw 'just a string';
          }, {}),
        );
        expect((await request(app.callback()).get('/x')).status).toBe(500);
        expect(print).toHaveBeenCalledTimes(1);
        expect(String(print.mock.calls[0]?.[0])).toContain('Error: non-error thrown: "just a string"');
        expect(warn).not.toHaveBeenCalled();
      } finally {
        print.mockRestore();
        warn.mockRestore();
      }
    });

    it('hands the listeners an Error for what is not one, the thrown value as its cause', async () => {
      const reported: unknown[] = [];
      const thrown = { reason: 'not an Error' };
      const app = await inProduction(async () =>
        appWith(() => {
          throw thrown;
        }, {}),
      );
      app.on('error', (err: unknown) => reported.push(err));
      await request(app.callback()).get('/x');
      expect(reported).toEqual([new Error('non-error thrown: {"reason":"not an Error"}')]);
      expect((reported[0] as Error).cause).toBe(thrown);
    });
  });

  describe('misconfigured', () => {
    it.each([
      ['an unknown option', { logg: () => undefined }],
      ['a status out of range', { map: [['ECONNREFUSED', 404]] }],
      ['a wrong type', { types: 'rfc' }],
    ])('refuses %s at once, as the Node middleware does', (_what, options) => {
      const expected = caught(() => nodeServerErrors(options as never));
      const error = caught(() => serverErrors(options as never));
      expect(error).toBeInstanceOf(expected.constructor);
      expect([error.code, error.message]).toEqual([expected.code, expected.message]);
    });

    it('explains app.use(serverErrors) without the call, on the first request', async () => {
      const reported: Array<Error & { code?: string }> = [];
      const app = new Koa();
      // Koa's types let it through: the context's index signature matches any options.
      app.use(serverErrors);
      app.on('error', (err: Error) => reported.push(err));
      expect((await request(app.callback()).get('/')).status).toBe(500);
      expect(reported).toHaveLength(1);
      expect(reported[0]).toBeInstanceOf(TypeError);
      expect(reported[0]?.code).toBe('ERR_SERVER_ERRORS_NOT_CALLED');
      expect(reported[0]?.message).toBe(
        'serverErrors received a Koa context instead of options: it looks like you wrote app.use(serverErrors). ' +
          'Call it to get the middleware: app.use(serverErrors()).',
      );
    });
  });
});
