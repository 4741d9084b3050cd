import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect, createServer as createHttp2Server, type ClientHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';

import express from 'express';

import { drain } from '../../src/guards/drain';
import { serverErrors } from '../../src/node/middleware';
import { caught } from '../helpers/caught';
import { closeServers, listenLocally, urlOf } from '../helpers/local-server';
import { answer, closeClients, get, keepAlive, rawConnection } from '../contract/drain';
import { waitFor } from '../helpers/wait-for';

afterEach(async () => {
  closeClients();
  await closeServers();
});

describe('drain() on Express', () => {
  it('explains app.use(drain) written without the call', () => {
    const req = { method: 'GET', url: '/', headers: {}, socket: {} };
    const error = caught(() => (drain as (req: unknown) => unknown)(req));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe('ERR_SERVER_ERRORS_NOT_CALLED');
    expect(error.message).toBe(
      'drain received a request instead of options: it looks like you wrote app.use(drain). ' +
        'Call it to get the middleware: app.use(drain()).',
    );
  });

  it('refuses a wrong option at start-up, naming it', () => {
    const error = caught(() => drain({ graec: 5000 } as never));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/^drain\(\): unknown option "graec"\. Did you mean "grace"\?/);
  });

  it('rejects close() given the app instead of the server listen() returned', async () => {
    const app = express();
    await expect(drain().close(app as never)).rejects.toMatchObject({
      name: 'TypeError',
      code: 'ERR_SERVER_ERRORS_INVALID_OPTION',
      message:
        'drain().close(server): server must be the node:http, node:https or HTTP/2 server that listen() returned; received [function app].',
    });
  });

  it('fails a readiness route placed before it during delay, while the routes still answer', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'queueMicrotask'] });
    try {
      const draining = drain({ delay: 30_000 });
      const app = express();
      app.get('/ready', (_req, res) => {
        res.status(draining.status().draining ? 503 : 200).json(draining.status());
      });
      app.use(draining);
      app.get('/orders', (_req, res) => {
        res.json([]);
      });
      app.use(serverErrors({ log: false }));
      const server = await listenLocally(app);
      const url = urlOf(server);
      const agent = keepAlive();
      expect(answer(await get(`${url}/ready`, agent)).status).toBe(200);
      const closing = draining.close(server);
      const ready = answer(await get(`${url}/ready`, agent));
      expect(ready.status).toBe(503);
      expect(JSON.parse(ready.body)).toEqual({ draining: true, inFlight: 0 });
      expect(answer(await get(`${url}/orders`, agent)).status).toBe(200);
      await jest.advanceTimersByTimeAsync(30_000);
      await closing;
      expect((await get(`${url}/ready`, keepAlive())).kind).toBe('failure');
    } finally {
      jest.useRealTimers();
    }
  });

  it('answers its refusal through serverErrors() without logging it', async () => {
    const log = jest.fn();
    const draining = drain();
    let finish: () => void = () => undefined;
    const app = express();
    app.use(draining);
    app.get('/stream', (_req, res) => {
      res.write('first');
      finish = () => res.end('last');
    });
    app.use(serverErrors({ log }));
    const server = await listenLocally(app);
    let received = 0;
    server.on('request', () => received++);
    const connection = await rawConnection(urlOf(server));
    connection.send('/stream');
    await waitFor(() => connection.receivedSoFar().includes('first'), 'the stream to start');
    const closing = draining.close(server);
    connection.send('/orders?token=secret');
    await waitFor(() => received === 2, 'the second request');
    finish();
    const [, refused] = await connection.all();
    await closing;
    expect(refused?.status).toBe(503);
    expect(JSON.parse(refused?.body ?? '')).toMatchObject({ instance: '/orders' });
    expect(log).not.toHaveBeenCalled();
  });
});

describe('drain() on an HTTP/2 server', () => {
  function get2(session: ClientHttp2Session, path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const stream = session.request({ ':path': path });
      let status = 0;
      let body = '';
      stream.setEncoding('utf8');
      stream.on('response', (headers) => (status = Number(headers[':status'])));
      stream.on('data', (chunk: string) => (body += chunk));
      stream.on('end', () => resolve({ status, body }));
      stream.on('error', reject);
    });
  }

  it('sends a GOAWAY on every session it saw, lets the stream in flight finish, and resolves', async () => {
    const draining = drain();
    const handle = serverErrors({ log: false });
    let release: () => void = () => undefined;
    const server = createHttp2Server((req, res) => {
      // The compatibility API: what drain() reads of a response is the same.
      const [nodeReq, nodeRes] = [req as unknown as IncomingMessage, res as unknown as ServerResponse];
      draining(nodeReq, nodeRes, (err) => {
        if (err !== undefined) handle(err, nodeReq, nodeRes);
        else if (req.url === '/slow') release = () => res.end('slow');
        else res.end('ok');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const idle = connect(url);
    const busy = connect(url);
    try {
      expect(await get2(idle, '/fast')).toEqual({ status: 200, body: 'ok' });
      const slow = get2(busy, '/slow');
      await waitFor(() => draining.status().inFlight === 1, 'the slow stream');
      const goaways = [once(idle, 'goaway'), once(busy, 'goaway')];
      const idleClosed = once(idle, 'close');
      const closing = draining.close(server);
      await Promise.all(goaways);
      await idleClosed;
      release();
      expect(await slow).toEqual({ status: 200, body: 'slow' });
      await closing;
      expect(draining.status()).toEqual({ draining: true, inFlight: 0 });
      expect(server.listening).toBe(false);
    } finally {
      idle.destroy();
      busy.destroy();
      server.close();
    }
  });
});
