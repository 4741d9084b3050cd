import { once } from 'node:events';
import { createServer, get, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';

import express5 from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import request from 'supertest';

import { serverErrors } from '../../src/node/middleware';
import type { ServerErrorsOptions } from '../../src/node/options';
import { proxyErrorHandler } from '../../src/node/proxy-error-handler';
import { expressVersions } from '../helpers/apps';
import { caught } from '../helpers/caught';
import { problemOf } from '../helpers/problem';
import {
  bodyStallingUpstream,
  closeServer,
  httpUpstream,
  listen,
  rawUpstream,
  refusingUpstream,
  resettingUpstream,
  silentUpstream,
  type Upstream,
} from '../helpers/upstreams';

const upstreams: Record<string, Upstream> = {};

beforeAll(async () => {
  upstreams.ok = await httpUpstream((_req, res) => res.end('hello from upstream'));
  upstreams.refusing = await refusingUpstream();
  upstreams.closing = await resettingUpstream('close');
  upstreams.resetting = await resettingUpstream('reset');
  upstreams.silent = await silentUpstream();
  upstreams.bodyStalling = await bodyStallingUpstream();
  upstreams.notHttp = await rawUpstream('garbage\r\n\r\n');
});

afterAll(async () => {
  await Promise.all(Object.values(upstreams).map((upstream) => upstream.close()));
});

describe.each(expressVersions)('proxyErrorHandler() on %s', (_version, express) => {
  function proxyApp(name: string, options?: ServerErrorsOptions, { plugin = true } = {}) {
    const app = express();
    const onError = proxyErrorHandler(options);
    app.use(
      '/api',
      createProxyMiddleware({
        target: upstreams[name]!.url,
        proxyTimeout: 200,
        on: { error: onError },
        plugins: plugin ? [onError.plugin] : [],
      }),
    );
    app.use(serverErrors());
    return app;
  }

  it('passes a working upstream through', async () => {
    const res = await request(proxyApp('ok')).get('/api/orders');
    expect(res.status).toBe(200);
    expect(res.text).toBe('hello from upstream');
  });

  it.each([
    ['refused', 'refusing'],
    ['closed before any answer', 'closing'],
    ['reset', 'resetting'],
    ['answered with something that is not HTTP', 'notHttp'],
  ])('answers a problem+json 502 when the upstream connection is %s', async (_what, name) => {
    const res = await request(proxyApp(name)).get('/api/orders?id=1');
    expect(res.status).toBe(502);
    expect(problemOf(res)).toMatchObject({ title: 'Bad Gateway', instance: '/api/orders' });
    expect(res.text).not.toMatch(/Error occurred while trying to proxy|127\.0\.0\.1/);
  });

  it('answers 504 when proxyTimeout fires before the upstream answers', async () => {
    const res = await request(proxyApp('silent')).get('/api/orders');
    expect(res.status).toBe(504);
    expect(problemOf(res).title).toBe('Gateway Timeout');
  });

  it('answers 598 for that timeout with nonStandard', async () => {
    const res = await request(proxyApp('silent', { nonStandard: true })).get('/api/orders');
    expect(res.status).toBe(598);
    expect(problemOf(res).title).toBe('Network Read Timeout Error');
  });

  it('cannot tell that timeout from a reset without the plugin, and answers 502', async () => {
    const res = await request(proxyApp('silent', undefined, { plugin: false })).get('/api/orders');
    expect(res.status).toBe(502);
  });

  it('closes the connection, and logs a 504, when the upstream body stalls after the headers', async () => {
    const statuses: number[] = [];
    const server = createServer(proxyApp('bodyStalling', { log: ({ status }) => statuses.push(status) }));
    const port = await listen(server);
    try {
      const [res] = (await once(get(`http://127.0.0.1:${port}/api/file`), 'response')) as [IncomingMessage];
      expect(res.statusCode).toBe(200);
      // once() would reject on the 'aborted' error this test expects.
      await new Promise((resolve) =>
        res
          .on('error', () => undefined)
          .on('close', resolve)
          .resume(),
      );
      expect(res.complete).toBe(false);
      expect(statuses).toEqual([504]);
    } finally {
      await closeServer(server);
    }
  });

  it("uses serverErrors()'s options", async () => {
    const res = await request(
      proxyApp('refusing', { map: [['ECONNREFUSED', 503]], types: 'about:blank' }),
    ).get('/api/orders');
    expect(res.status).toBe(503);
    expect(problemOf(res).type).toBe('about:blank');
  });

  it('closes the socket of a WebSocket upgrade whose upstream is down, writing nothing', async () => {
    const proxy = createProxyMiddleware({
      target: upstreams.refusing!.url,
      ws: true,
      on: { error: proxyErrorHandler() },
    });
    const server = createServer(express());
    server.on('upgrade', proxy.upgrade);
    const port = await listen(server);
    try {
      const socket = connect(port, '127.0.0.1');
      socket.write(
        'GET /chat HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += String(chunk)));
      await once(socket, 'close');
      expect(received).toBe('');
    } finally {
      await closeServer(server);
    }
  });

  it('still answers 502 when used without the call', async () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const app = express();
    app.use(
      '/api',
      createProxyMiddleware({ target: upstreams.refusing!.url, on: { error: proxyErrorHandler as never } }),
    );
    const res = await request(app).get('/api/orders');
    expect(res.status).toBe(502);
    problemOf(res);
    warn.mockRestore();
  });
});

describe('proxyErrorHandler() options', () => {
  it('warns once about a handler used without the call', async () => {
    jest.resetModules();
    const { proxyErrorHandler: fresh } =
      require('../../src/node/proxy-error-handler') as typeof import('../../src/node/proxy-error-handler');
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const app = express5();
    app.use(
      '/api',
      createProxyMiddleware({ target: upstreams.refusing!.url, on: { error: fresh as never } }),
    );
    await request(app).get('/api/orders');
    await request(app).get('/api/orders');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain('on: { error: proxyErrorHandler() }');
    warn.mockRestore();
  });

  it.each([
    [
      { mapp: [] },
      TypeError,
      'ERR_SERVER_ERRORS_UNKNOWN_OPTION',
      /unknown option "mapp"\. Did you mean "map"\?/,
    ],
    [
      { nonStandard: 'yes' },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "nonStandard" must be a boolean; received "yes"/,
    ],
    [
      { map: [[Error, 600]] },
      RangeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "map\[0\]\[1\]" must be a status from 500 to 599.*; received 600\./,
    ],
  ])('refuses %p at start-up, as serverErrors() does', (options, Kind, code, message) => {
    const error = caught(() => proxyErrorHandler(options as never));
    expect(error).toBeInstanceOf(Kind);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });
});
