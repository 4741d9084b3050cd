import '../helpers/native-esm';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';

import { serverErrors } from '../../src/fastify';
import { drain } from '../../src/fastify/drain';
import { describeDrain } from './drain';

let apps: FastifyInstance[] = [];

describeDrain('Fastify through a real server', {
  start: async (options, { hold }) => {
    const draining = drain(options);
    // keepAliveTimeout: Node's own timeout must not be what closes a connection here.
    const app = Fastify({ keepAliveTimeout: 60_000 });
    apps.push(app);
    await app.register(serverErrors, { log: false });
    await app.register(draining);
    app.get('/fast', async () => 'ok');
    app.get('/slow', async () => {
      await hold();
      return 'slow';
    });
    app.get('/stream', (_request, reply) => {
      const body = new PassThrough();
      body.write('first');
      void hold().then(() => body.end('last'));
      return reply.send(body);
    });
    app.get('/never', () => new Promise(() => undefined));
    await app.listen({ port: 0, host: '127.0.0.1' });
    let received = 0;
    app.server.on('request', () => received++);
    return {
      url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
      close: () => draining.close(app),
      status: draining.status,
      received: () => received,
    };
  },
  dispose: async () => {
    const stopping = apps;
    apps = [];
    await Promise.all(
      stopping.map((app) => {
        app.server.closeAllConnections();
        return app.close();
      }),
    );
  },
});
