import '../helpers/native-esm';
import Fastify, { type FastifyInstance } from 'fastify';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { serverErrors } from '../../src/fastify';
import { admission } from '../../src/guards/admission';
import { hold } from '../helpers/hold';
import { send } from '../helpers/http-client';
import { waitFor } from '../helpers/wait-for';

const apps: FastifyInstance[] = [];

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

// Fastify makes its own server; `serverFactory` is where a request listener
// goes in front of it, so the gate queues and refuses before Fastify routes.
describe('admission().wrap() in front of Fastify, through serverFactory', () => {
  it('queues and refuses before Fastify sees the request, and serves the queue afterwards', async () => {
    const gate = admission({ maxInFlight: 1, maxQueue: 1 });
    const work = hold();
    let routed = 0;
    const app = Fastify({ serverFactory: (handler) => createServer(gate.wrap(handler)) });
    apps.push(app);
    await app.register(serverErrors, { log: false });
    app.get('/work', async () => {
      routed++;
      await work.held;
      return { done: true };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/work`;

    const first = send(url);
    await waitFor(() => gate.status().inFlight === 1, 'the first request in flight');
    const queued = send(url, { headers: { accept: 'application/json' } });
    await waitFor(() => gate.status().queued === 1, 'one request queued');
    // A full queue pushes out the one that waited longest.
    const last = send(url);
    const refused = await queued;
    expect(refused.status).toBe(503);
    expect(refused.headers['cache-control']).toBe('no-store');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(2);
    expect(refused.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(refused.body)).toMatchObject({ status: 503, title: 'Service Unavailable' });
    expect(routed).toBe(1);

    work.release();
    expect((await first).status).toBe(200);
    expect(JSON.parse((await last).body)).toEqual({ done: true });
    expect(routed).toBe(2);
    // The gate counts a request finished on its response's 'close', which may come after the client has read it.
    await waitFor(() => gate.status().inFlight === 0, 'both served requests finished');
    expect(gate.status()).toMatchObject({ admitted: 2, refused: 1, queued: 0 });
  });
});
