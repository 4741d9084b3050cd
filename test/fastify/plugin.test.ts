import '../helpers/native-esm';
import Fastify, {
  type FastifyInstance,
  type FastifyServerOptions,
  type LightMyRequestResponse,
} from 'fastify';
import { connect as http2Connect } from 'node:http2';
import { connect as netConnect, type AddressInfo } from 'node:net';

import { catalog } from '../../src/catalog/catalog';
import {
  BadGateway,
  NetworkConnectTimeout,
  NetworkReadTimeout,
  ServiceUnavailable,
} from '../../src/errors/classes';
import { serverErrors, type ServerErrorsOptions } from '../../src/fastify';
import { serverErrors as middleware } from '../../src/node/middleware';
import type { ErrorLogRecord } from '../../src/options';
import { send } from '../helpers/http-client';

const apps: FastifyInstance[] = [];

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** A Fastify app with serverErrors registered first, then `routes`. */
async function appWith(
  routes: (app: FastifyInstance) => void | Promise<void>,
  options: ServerErrorsOptions = { log: false },
  server: FastifyServerOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify(server);
  apps.push(app);
  await app.register(serverErrors, options);
  await routes(app);
  return app;
}

function problemOf(res: LightMyRequestResponse): Record<string, unknown> {
  expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  const body = JSON.parse(res.body) as Record<string, unknown>;
  expect(body.status).toBe(res.statusCode);
  return body;
}

async function listening(app: FastifyInstance): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.server.address() as AddressInfo).port;
}

/** Everything a server sends for one raw HTTP/1.1 request, up to the close. */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    const socket = netConnect(port, '127.0.0.1', () => socket.write(request));
    socket.setEncoding('latin1');
    // A server that never answers fails the test rather than hanging it.
    socket.setTimeout(4000, () => socket.destroy(new Error('no answer')));
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('end', () => resolve(received));
    socket.on('error', reject);
  });
}

describe('the serverErrors plugin for Fastify', () => {
  describe('encapsulation', () => {
    it('answers the routes of child plugins, prefixed and nested, as the app’s own', async () => {
      const app = await appWith(async (a) => {
        await a.register(
          async (child) => {
            child.get('/child', () => {
              throw new ServiceUnavailable(30);
            });
            await child.register(async (grandchild) => {
              grandchild.get('/grandchild', () => {
                throw new BadGateway();
              });
            });
          },
          { prefix: '/api' },
        );
      });
      const child = await app.inject({ url: '/api/child' });
      expect(child.statusCode).toBe(503);
      expect(child.headers['retry-after']).toBe('30');
      expect(problemOf(child)).toMatchObject({ title: 'Service Unavailable', instance: '/api/child' });
      const grandchild = await app.inject({ url: '/api/grandchild' });
      expect(grandchild.statusCode).toBe(502);
      expect(problemOf(grandchild).instance).toBe('/api/grandchild');
    });

    it('leaves a child plugin that sets its own error handler in charge of its routes', async () => {
      const app = await appWith(async (a) => {
        await a.register(async (child) => {
          child.setErrorHandler((_err, _request, reply) => reply.code(418).send('own handler'));
          child.get('/own', () => {
            throw new BadGateway();
          });
        });
        a.get('/shared', () => {
          throw new BadGateway();
        });
      });
      const own = await app.inject({ url: '/own' });
      expect([own.statusCode, own.body]).toEqual([418, 'own handler']);
      expect((await app.inject({ url: '/shared' })).statusCode).toBe(502);
    });
  });

  describe('Fastify’s own errors', () => {
    it('answers an unknown route with a 404 problem, unlogged', async () => {
      const log = jest.fn();
      const app = await appWith(() => undefined, { log });
      const res = await app.inject({ method: 'POST', url: '/nowhere?token=secret' });
      expect(res.statusCode).toBe(404);
      expect(problemOf(res)).toMatchObject({ title: 'Not Found', status: 404, instance: '/nowhere' });
      expect(res.body).not.toContain('secret');
      expect(log).not.toHaveBeenCalled();
    });

    it('answers a schema validation failure with 400 and Fastify’s message as detail', async () => {
      const app = await appWith((a) => {
        a.post(
          '/orders',
          {
            schema: {
              body: { type: 'object', required: ['item'], properties: { item: { type: 'string' } } },
            },
          },
          () => 'created',
        );
      });
      const res = await app.inject({ method: 'POST', url: '/orders', payload: { quantity: 2 } });
      expect(res.statusCode).toBe(400);
      expect(problemOf(res)).toMatchObject({
        title: 'Bad Request',
        detail: "body must have required property 'item'",
      });
    });

    it('answers a route that read its body, on a real server where Node has destroyed the request', async () => {
      const app = await appWith((a) => {
        a.post('/orders', async () => {
          await new Promise((resolve) => setImmediate(resolve));
          throw new ServiceUnavailable(10);
        });
      });
      const exchange = await rawExchange(
        await listening(app),
        'POST /orders HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
          'Content-Length: 14\r\nConnection: close\r\n\r\n{"item":"tea"}',
      );
      expect(exchange).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
      expect(exchange).toContain('"status":503');
    });

    it('answers a body over bodyLimit with 413, and keeps Fastify’s Connection: close', async () => {
      const app = await appWith(
        (a) => {
          a.post('/upload', () => 'stored');
        },
        { log: false },
        { bodyLimit: 16 },
      );
      const res = await app.inject({ method: 'POST', url: '/upload', payload: { data: 'x'.repeat(64) } });
      expect(res.statusCode).toBe(413);
      expect(problemOf(res)).toMatchObject({ status: 413, detail: 'Request body is too large' });
      expect(res.headers.connection).toBe('close');
    });

    it('answers a body of an unsupported media type with 415', async () => {
      const app = await appWith((a) => {
        a.post('/upload', () => 'stored');
      });
      const res = await app.inject({
        method: 'POST',
        url: '/upload',
        headers: { 'content-type': 'application/x-unknown' },
        payload: 'data',
      });
      expect(res.statusCode).toBe(415);
      expect(problemOf(res)).toMatchObject({ status: 415, detail: 'Unsupported Media Type' });
    });
  });

  describe('the response', () => {
    it('removes the headers the route set for the answer it meant to send and keeps the rest', async () => {
      const app = await appWith((a) => {
        a.get('/stale', (_request, reply) => {
          reply.header('ETag', '"v1"').header('Cache-Control', 'max-age=600').header('Vary', 'Origin');
          reply.header('Content-Type', 'text/csv').header('X-Kept', 'yes');
          reply.raw.setHeader('Last-Modified', 'Tue, 01 Dec 2026 10:00:00 GMT');
          throw new ServiceUnavailable(5);
        });
      });
      const res = await app.inject({ url: '/stale' });
      expect(res.statusCode).toBe(503);
      expect(res.headers.etag).toBeUndefined();
      expect(res.headers['last-modified']).toBeUndefined();
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers.vary).toBe('Origin, Accept');
      expect(res.headers['x-kept']).toBe('yes');
      expect(problemOf(res).status).toBe(503);
    });

    it('names the path the client asked for as instance, before rewriteUrl changed it', async () => {
      const app = await appWith(
        (a) => {
          a.get('/v2/orders', () => {
            throw new BadGateway();
          });
        },
        { log: false },
        { rewriteUrl: (req) => (req.url ?? '/').replace(/^\/v1\//, '/v2/') },
      );
      const res = await app.inject({ url: '/v1/orders?token=secret' });
      expect(res.statusCode).toBe(502);
      expect(problemOf(res).instance).toBe('/v1/orders');
    });

    it('sends the problem as it is when the route set a serializer of its own', async () => {
      const app = await appWith((a) => {
        a.get('/serialized', (_request, reply) => {
          reply.serializer(() => 'not the problem');
          throw new BadGateway();
        });
      });
      const res = await app.inject({ url: '/serialized' });
      expect(problemOf(res).title).toBe('Bad Gateway');
      expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.body));
    });

    it.each([
      [598, NetworkReadTimeout],
      [599, NetworkConnectTimeout],
    ])('sends the catalog’s reason phrase for %i, which Node does not know', async (status, Class) => {
      const app = await appWith((a) => {
        a.get('/timeout', () => {
          throw new Class();
        });
      });
      const res = await app.inject({ url: '/timeout' });
      expect(res.statusCode).toBe(status);
      expect(res.statusMessage).toBe(catalog[status as 598 | 599].title);
    });

    it('answers without the error’s own headers when Node refuses the head with them', async () => {
      const app = await appWith((a) => {
        a.get('/refused', (_request, reply) => {
          const { raw } = reply;
          const { writeHead } = raw;
          let refused = false;
          // What Node does with a header it only checks in the head.
          raw.writeHead = function (this: typeof raw, ...args: Parameters<typeof writeHead>) {
            const headers = args[args.length - 1] as Record<string, unknown>;
            if (!refused && 'x-refused' in headers) {
              refused = true;
              throw Object.assign(new TypeError('refused'), { code: 'ERR_HTTP_TRAILER_INVALID' });
            }
            return writeHead.apply(this, args);
          } as typeof writeHead;
          throw new ServiceUnavailable(7, { headers: { 'X-Refused': 'yes' } });
        });
      });
      const res = await app.inject({ url: '/refused' });
      expect(res.statusCode).toBe(503);
      expect(res.headers['x-refused']).toBeUndefined();
      expect(res.headers['retry-after']).toBeUndefined();
      expect(res.headers['cache-control']).toBe('no-store');
      expect(problemOf(res).status).toBe(503);
    });

    it('gives the hooks Fastify’s request', async () => {
      const app = await appWith(
        (a) => {
          a.get('/hooks', () => {
            throw new BadGateway();
          });
        },
        {
          log: false,
          traceId: (request) => `fastify-${request.id}`,
          customize: (problem, { req }) => {
            problem.route = req.routeOptions.url;
          },
        },
        { genReqId: () => 'req-1' },
      );
      const res = await app.inject({ url: '/hooks' });
      expect(problemOf(res)).toMatchObject({ traceId: 'fastify-req-1', route: '/hooks' });
    });
  });

  describe('HEAD', () => {
    const route = (a: FastifyInstance) => {
      a.get('/head', () => {
        throw new ServiceUnavailable(30);
      });
    };
    const request = { headers: { 'x-request-id': 'same-id' } };

    it('answers HEAD on a GET route with the headers of GET, Content-Length included, and no body', async () => {
      const app = await appWith(route);
      const get = await app.inject({ method: 'GET', url: '/head', ...request });
      const head = await app.inject({ method: 'HEAD', url: '/head', ...request });
      const { date: _getDate, ...getHeaders } = get.headers;
      const { date: _headDate, ...headHeaders } = head.headers;
      expect(head.statusCode).toBe(503);
      expect(Number(get.headers['content-length'])).toBe(Buffer.byteLength(get.body));
      expect(headHeaders).toEqual(getHeaders);
      expect(head.body).toBe('');
    });

    it('sends no byte after the head of a HEAD answer on the wire', async () => {
      const port = await listening(await appWith(route));
      const exchange = await rawExchange(
        port,
        'HEAD /head HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: same-id\r\nConnection: close\r\n\r\n',
      );
      const get = await send(`http://127.0.0.1:${port}/head`, request);
      expect(exchange).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
      expect(exchange).toContain(`\r\ncontent-length: ${Buffer.byteLength(get.body)}\r\n`);
      expect(exchange.indexOf('\r\n\r\n')).toBe(exchange.length - 4);
    });

    it('answers HEAD for an unknown route with the Content-Length of GET', async () => {
      const app = await appWith(() => undefined);
      const get = await app.inject({ method: 'GET', url: '/nowhere', ...request });
      const head = await app.inject({ method: 'HEAD', url: '/nowhere', ...request });
      expect(head.statusCode).toBe(404);
      expect(head.headers['content-length']).toBe(String(Buffer.byteLength(get.body)));
      expect(head.body).toBe('');
    });
  });

  describe('over HTTP/2', () => {
    function h2(port: number, method: string) {
      return new Promise<{ status: unknown; headers: Record<string, unknown>; body: string }>(
        (resolve, reject) => {
          const session = http2Connect(`http://127.0.0.1:${port}`);
          session.on('error', reject);
          const stream = session.request({ ':path': '/h2', ':method': method, 'x-request-id': 'h2-id' });
          let body = '';
          let headers: Record<string, unknown> = {};
          stream.setEncoding('utf8');
          stream.on('response', (received) => (headers = received));
          stream.on('data', (chunk: string) => (body += chunk));
          stream.on('end', () => {
            session.close();
            resolve({ status: headers[':status'], headers, body });
          });
          stream.on('error', reject);
          stream.end();
        },
      );
    }

    it('answers with the problem, and HEAD with the Content-Length of GET and no body', async () => {
      const app = await appWith(
        (a) => {
          a.get('/h2', () => {
            throw new BadGateway();
          });
        },
        { log: false },
        { http2: true } as FastifyServerOptions,
      );
      const port = await listening(app);
      const get = await h2(port, 'GET');
      const head = await h2(port, 'HEAD');
      expect(get.status).toBe(502);
      expect(get.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(JSON.parse(get.body)).toMatchObject({ title: 'Bad Gateway', traceId: 'h2-id' });
      expect(head.status).toBe(502);
      expect(head.headers['content-length']).toBe(String(Buffer.byteLength(get.body)));
      expect(head.body).toBe('');
    });
  });

  describe('a reply already sent', () => {
    it('logs a route that throws after writing the head itself once, and closes the connection', async () => {
      const logged: ErrorLogRecord[] = [];
      const app = await appWith(
        (a) => {
          a.get('/half', (_request, reply) => {
            reply.raw.writeHead(200, { 'content-type': 'text/plain' });
            reply.raw.write('partial');
            throw new BadGateway();
          });
        },
        { log: (record) => logged.push(record) },
      );
      const port = await listening(app);
      await expect(send(`http://127.0.0.1:${port}/half`, { timeout: 4000 })).rejects.toMatchObject({
        code: 'ECONNRESET',
      });
      expect(logged.map((record) => [record.status, record.path])).toEqual([[502, '/half']]);
    });
  });

  describe('options', () => {
    function refusalOf(fn: () => unknown): Error {
      try {
        fn();
      } catch (error) {
        return error as Error;
      }
      throw new Error('not refused');
    }

    it.each([
      [{ lg: false }],
      [{ map: [[Error, 404]] }],
      [{ types: 'rfc' }],
      [{ typeBase: '/problems/' }],
      [{ log: 'stderr' }],
    ])('refuses %p at register as the middleware does', async (options) => {
      const expected = refusalOf(() => middleware(options as never));
      const app = Fastify();
      apps.push(app);
      let received: unknown;
      try {
        await app.register(serverErrors, options as never);
      } catch (error) {
        received = error;
      }
      expect(received).toBeInstanceOf(expected.constructor);
      expect(received).toMatchObject({
        message: expected.message,
        code: (expected as { code?: unknown }).code,
      });
    });

    it('explains app.register(serverErrors()): the plugin is registered, not called', async () => {
      const app = Fastify();
      apps.push(app);
      await expect(app.register((serverErrors as unknown as () => never)())).rejects.toMatchObject({
        code: 'ERR_SERVER_ERRORS_NOT_CALLED',
        message: expect.stringContaining('await app.register(serverErrors, options)'),
      });
    });
  });

  describe('the default logger', () => {
    interface Line {
      readonly level: number;
      readonly msg: string;
      readonly reqId?: string;
      readonly status?: number;
      readonly path?: string;
      readonly err?: { readonly message?: string };
    }

    /** An app whose Fastify logger writes to `lines`, with serverErrors' default logger. */
    async function loggingApp(routes: (app: FastifyInstance) => void) {
      const lines: Line[] = [];
      const stream = { write: (line: string) => lines.push(JSON.parse(line) as Line) };
      const env = process.env.NODE_ENV;
      process.env.NODE_ENV = 'production';
      try {
        const app = await appWith(routes, {}, { logger: { stream } });
        return { app, errors: () => lines.filter((line) => line.level >= 50) };
      } finally {
        process.env.NODE_ENV = env;
      }
    }

    it('logs each 5xx once, through Fastify’s request logger', async () => {
      const { app, errors } = await loggingApp((a) => {
        a.get('/fail', async () => {
          throw new Error('database down');
        });
        a.get('/missing', () => {
          throw Object.assign(new Error('no such order'), { statusCode: 404, expose: true });
        });
      });
      const res = await app.inject({ url: '/fail' });
      expect(res.statusCode).toBe(500);
      await app.inject({ url: '/missing' });
      await app.inject({ url: '/nowhere' });
      expect(errors()).toEqual([
        expect.objectContaining({
          msg: 'request failed',
          status: 500,
          path: '/fail',
          reqId: expect.any(String),
          err: expect.objectContaining({ message: 'database down' }),
        }),
      ]);
    });

    it('leaves a route that throws after reply.send to Fastify: one answer, one line', async () => {
      const { app, errors } = await loggingApp((a) => {
        a.get('/late', async (_request, reply) => {
          reply.send('done');
          throw new Error('too late');
        });
      });
      const res = await app.inject({ url: '/late' });
      expect([res.statusCode, res.body]).toEqual([200, 'done']);
      expect(errors()).toEqual([
        expect.objectContaining({ err: expect.objectContaining({ message: 'too late' }) }),
      ]);
    });
  });
});
