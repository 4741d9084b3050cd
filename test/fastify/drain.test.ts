import '../helpers/native-esm';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';

import { drain, serverErrors } from '../../src/fastify';
import { answer, closeClients, get, keepAlive, rawConnection } from '../contract/drain';
import { waitFor } from '../helpers/wait-for';

const apps: FastifyInstance[] = [];

afterEach(async () => {
  closeClients();
  await Promise.all(
    apps.splice(0).map((app) => {
      app.server.closeAllConnections();
      return app.close();
    }),
  );
});

/** An app with the error layer, the drain and a slow route, listening; `release` answers the slow route. */
async function slowApp(options: FastifyServerOptions = {}) {
  const draining = drain();
  const app = Fastify(options);
  apps.push(app);
  const events: string[] = [];
  let release: () => void = () => undefined;
  await app.register(serverErrors, { log: false });
  await app.register(draining);
  app.addHook('onClose', async () => void events.push('onClose'));
  app.get('/slow', async () => {
    await new Promise<void>((resolve) => (release = resolve));
    events.push('answered');
    return 'slow';
  });
  app.get('/stream', (_request, reply) => {
    const body = new PassThrough();
    body.write('first');
    release = () => body.end('last');
    return reply.send(body);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return { app, draining, events, url, release: () => release() };
}

describe('drain() on Fastify', () => {
  it('explains app.register(drain) written without the call', async () => {
    const app = Fastify();
    apps.push(app);
    await expect(app.register(drain as never)).rejects.toMatchObject({
      name: 'TypeError',
      code: 'ERR_SERVER_ERRORS_NOT_CALLED',
      message:
        'drain from server-errors/fastify makes the plugin: call it and register what it returns, await app.register(drain(options)).',
    });
  });

  it('rejects close() given something other than the Fastify instance', async () => {
    const { app, draining } = await slowApp();
    await expect(draining.close(app.server as never)).rejects.toMatchObject({
      name: 'TypeError',
      code: 'ERR_SERVER_ERRORS_INVALID_OPTION',
      message: expect.stringMatching(/^drain\(\)\.close\(app\): app must be the Fastify instance/),
    });
  });

  it("runs the app's close() and its onClose hooks only after the last request in flight has finished", async () => {
    const { app, draining, events, url, release } = await slowApp();
    const slow = get(`${url}/slow`, keepAlive());
    await waitFor(() => draining.status().inFlight === 1, 'the slow request');
    const closing = draining.close(app);
    await waitFor(() => !app.server.listening, 'the server to stop accepting');
    release();
    expect(answer(await slow).headers.connection).toBe('close');
    await closing;
    expect(events).toEqual(['answered', 'onClose']);
  });

  it.each([
    ['forceCloseConnections: true', { forceCloseConnections: true }],
    ['forceCloseConnections: "idle"', { forceCloseConnections: 'idle' }],
    ['return503OnClosing: false', { return503OnClosing: false }],
  ] as const)(
    'drains the same with %s: Fastify closes only once nothing is left to answer',
    async (_name, options) => {
      const { app, draining, url, release } = await slowApp(options);
      const connection = await rawConnection(url);
      connection.send('/stream');
      await waitFor(() => connection.receivedSoFar().includes('first'), 'the stream to start');
      const closing = draining.close(app);
      connection.send('/slow');
      await waitFor(() => draining.status().inFlight === 2, 'the pipelined request');
      release();
      const [streamed, refused] = await connection.all();
      expect(streamed).toMatchObject({ status: 200, body: 'firstlast' });
      // The problem, not Fastify's own 503 of return503OnClosing.
      expect(refused).toMatchObject({ status: 503, headers: { connection: 'close', 'retry-after': '1' } });
      expect(JSON.parse(refused?.body ?? '')).toMatchObject({
        title: 'Service Unavailable',
        instance: '/slow',
      });
      await closing;
    },
  );
});
