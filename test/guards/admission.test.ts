import { AsyncLocalStorage } from 'node:async_hooks';
import { request as httpRequest, type Server } from 'node:http';
import type { Socket } from 'node:net';

import request from 'supertest';

import { type AdmissionGate, admission } from '../../src/guards/admission';
import type { AdmissionOptions } from '../../src/guards/admission-options';
import { serverErrors } from '../../src/node/middleware';
import { expressVersions } from '../helpers/apps';
import { caught } from '../helpers/caught';
import { hold } from '../helpers/hold';
import { send } from '../helpers/http-client';
import { closeServers, listenLocally, urlOf } from '../helpers/local-server';
import { koaVersions } from '../koa/versions';
import { waitFor } from '../helpers/wait-for';

afterEach(closeServers);

describe.each(expressVersions)('admission() on %s', (_version, express) => {
  function serve(options: AdmissionOptions, wrapped = false) {
    const gate = admission(options);
    const work = hold();
    const served: string[] = [];
    const als = new AsyncLocalStorage<string>();
    const seen: (string | undefined)[] = [];
    const app = express();
    app.use((req, _res, next) => als.run(String(req.headers['x-name'] ?? ''), next));
    app.get('/health', (_req, res) => {
      res.json(gate.status());
    });
    if (!wrapped) app.use(gate);
    app.get('/work', async (req, res) => {
      served.push(String(req.headers['x-name']));
      seen.push(als.getStore());
      await work.held;
      res.json({ done: true });
    });
    app.use(serverErrors());
    return { gate, app, work, served, seen, listener: wrapped ? gate.wrap(app) : app };
  }

  it('lets requests through while the server keeps up', async () => {
    const { app, work } = serve({});
    work.release();
    const res = await request(app).get('/work');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ done: true });
  });

  it('answers refusals while work queues behind a blocked route', async () => {
    const { gate, listener, work, served } = serve({ maxInFlight: 2, queueTimeout: 50 });
    const url = urlOf(await listenLocally(listener));
    const first = [
      send(`${url}/work`, { headers: { 'x-name': 'a' } }),
      send(`${url}/work`, { headers: { 'x-name': 'b' } }),
    ];
    await waitFor(() => gate.status().inFlight === 2, 'two requests in flight');
    const refused = await Promise.all([1, 2, 3].map(() => send(`${url}/work`)));
    // Refused while the two admitted ones are still held.
    expect(gate.status()).toMatchObject({ inFlight: 2, queued: 0, refused: 3 });
    for (const res of refused) {
      expect(res.status).toBe(503);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(2);
      expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(4);
      expect(JSON.parse(res.body)).toMatchObject({
        status: 503,
        title: 'Service Unavailable',
        detail: 'The server is too busy right now; try again shortly.',
      });
    }
    expect(served).toEqual(['a', 'b']);
    work.release();
    expect((await Promise.all(first)).map((res) => res.status)).toEqual([200, 200]);
    await waitFor(() => gate.status().inFlight === 0, 'nothing in flight');
  });

  it('starts a queued request once one in flight finishes', async () => {
    const { gate, listener, work, served } = serve({ maxInFlight: 1 });
    const url = urlOf(await listenLocally(listener));
    const a = send(`${url}/work`, { headers: { 'x-name': 'a' } });
    await waitFor(() => gate.status().inFlight === 1, 'a in flight');
    const b = send(`${url}/work`, { headers: { 'x-name': 'b' } });
    await waitFor(() => gate.status().queued === 1, 'b queued');
    expect(served).toEqual(['a']);
    work.release();
    expect((await Promise.all([a, b])).map((res) => res.status)).toEqual([200, 200]);
    expect(served).toEqual(['a', 'b']);
  });

  it('runs a queued request in the async context it arrived in', async () => {
    const { gate, listener, work, seen } = serve({ maxInFlight: 1 });
    const url = urlOf(await listenLocally(listener));
    const a = send(`${url}/work`, { headers: { 'x-name': 'a' } });
    await waitFor(() => gate.status().inFlight === 1, 'a in flight');
    const b = send(`${url}/work`, { headers: { 'x-name': 'b' } });
    await waitFor(() => gate.status().queued === 1, 'b queued');
    work.release();
    await Promise.all([a, b]);
    expect(seen).toEqual(['a', 'b']);
  });

  it('answers the allowed paths at once while the gate is full', async () => {
    const { gate, listener, work } = serve({ maxInFlight: 1, allow: '/health' });
    const url = urlOf(await listenLocally(listener));
    const a = send(`${url}/work`);
    await waitFor(() => gate.status().inFlight === 1, 'a in flight');
    const b = send(`${url}/work`);
    await waitFor(() => gate.status().queued === 1, 'b queued');
    const health = await send(`${url}/health`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ inFlight: 1, queued: 1, limit: 1 });
    work.release();
    await Promise.all([a, b]);
  });

  it('drops a queued request whose client has gone, unserved', async () => {
    const { gate, listener, work, served } = serve({ maxInFlight: 1 });
    const server: Server = await listenLocally(listener);
    const closed: Socket[] = [];
    server.on('connection', (socket: Socket) => socket.on('close', () => closed.push(socket)));
    const url = urlOf(server);
    const a = send(`${url}/work`, { headers: { 'x-name': 'a' } });
    await waitFor(() => gate.status().inFlight === 1, 'a in flight');
    const b = httpRequest(`${url}/work`, { headers: { 'x-name': 'b' } });
    b.on('error', () => undefined);
    b.end();
    await waitFor(() => gate.status().queued === 1, 'b queued');
    b.destroy();
    await waitFor(() => closed.length === 1, "the server to see b's connection close");
    work.release();
    expect((await a).status).toBe(200);
    await waitFor(() => gate.status().skipped === 1, 'b skipped');
    expect(served).toEqual(['a']);
    expect(gate.status()).toMatchObject({ admitted: 1, refused: 0, skipped: 1 });
  });

  describe('in front of the app, with gate.wrap(app)', () => {
    it('refuses with the same answer, made once, in the format the client asks for', async () => {
      const { gate, listener, work } = serve({ maxInFlight: 1, maxQueue: 1 }, true);
      const url = urlOf(await listenLocally(listener));
      const a = send(`${url}/work`);
      await waitFor(() => gate.status().inFlight === 1, 'a in flight');
      const queued = send(`${url}/work`);
      await waitFor(() => gate.status().queued === 1, 'one queued');
      // Each new arrival pushes the oldest waiting one out of the full queue.
      const html = send(`${url}/work`, { headers: { accept: 'text/html' } });
      const json = await queued;
      expect(json.status).toBe(503);
      expect(json.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(json.headers['cache-control']).toBe('no-store');
      expect(json.headers['x-content-type-options']).toBe('nosniff');
      expect(json.headers.vary).toBe('Accept');
      const body = JSON.parse(json.body) as Record<string, unknown>;
      expect(body).toMatchObject({ status: 503, title: 'Service Unavailable' });
      // One answer for many requests names no one path as the occurrence.
      expect(body).not.toHaveProperty('instance');
      expect(body).not.toHaveProperty('traceId');
      const head = send(`${url}/work`, { method: 'HEAD' });
      const page = await html;
      expect(page.status).toBe(503);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.body).toContain('Service Unavailable');
      work.release();
      const headRes = await head;
      expect([200, 503]).toContain(headRes.status);
      expect(headRes.body).toBe('');
      expect((await a).status).toBe(200);
    });

    it('passes the allowed paths straight to the app', async () => {
      const { gate, listener, work } = serve({ maxInFlight: 1, allow: ['/health'] }, true);
      const url = urlOf(await listenLocally(listener));
      const a = send(`${url}/work`);
      await waitFor(() => gate.status().inFlight === 1, 'a in flight');
      expect((await send(`${url}/health`)).status).toBe(200);
      work.release();
      await a;
    });
  });
});

describe('admission() options', () => {
  it.each([
    [
      { maxInFlight: 0 },
      RangeError,
      /option "maxInFlight" must be an integer from 1 to 1000000; received 0\./,
    ],
    [
      { maxQueue: 2.5 },
      RangeError,
      /option "maxQueue" must be an integer from 1 to 1000000; received 2\.5\./,
    ],
    [{ queueTimeout: -1 }, RangeError, /option "queueTimeout" must be an integer number of milliseconds/],
    [{ retryAfter: -1 }, RangeError, /option "retryAfter" must be a non-negative, finite number of seconds/],
    [{ allow: '/health/*' }, TypeError, /Paths are not globs: write "\/health\/"/],
    [{ maxInflight: 3 }, TypeError, /unknown option "maxInflight"\. Did you mean "maxInFlight"\?/],
  ])('refuses %p at start-up with a %p', (options, Kind, message) => {
    const error = caught(() => admission(options as never));
    expect(error).toBeInstanceOf(Kind);
    expect(error.message).toMatch(/^admission\(\): /);
    expect(error.message).toMatch(message);
  });

  it('explains app.use(admission) written without the call', () => {
    const error = caught(() =>
      (admission as (req: unknown) => unknown)({ method: 'GET', url: '/', headers: {} }),
    );
    expect(error.code).toBe('ERR_SERVER_ERRORS_NOT_CALLED');
    expect(error.message).toContain('app.use(admission())');
  });

  it('refuses to wrap what is not a request listener, naming it', () => {
    const gate: AdmissionGate = admission();
    const error = caught(() => gate.wrap(42 as never));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/^admission\(\)\.wrap\(listener\): .*received 42\./);
  });

  it('spreads Retry-After over whole seconds from retryAfter to twice that', () => {
    const gate = admission({ maxInFlight: 1, maxQueue: 1, retryAfter: 3 });
    const seen = new Set<string>();
    const next = (err?: unknown) => {
      const value = (err as { headers?: Record<string, string> } | undefined)?.headers?.['Retry-After'];
      if (value !== undefined) seen.add(value);
    };
    const fake = () => ({
      req: { headers: {}, url: '/x', method: 'GET' },
      res: { once: () => undefined, destroyed: false },
    });
    for (let i = 0; i < 400; i++) {
      const { req, res } = fake();
      gate(req as never, res as never, next);
    }
    expect([...seen].sort()).toEqual(['3', '4', '5', '6']);
  });
});

describe.each(koaVersions)('admission().wrap() in front of %s', (_version, Koa) => {
  it("queues and refuses before Koa's callback sees the request", async () => {
    const gate = admission({ maxInFlight: 1, maxQueue: 1 });
    const work = hold();
    const app = new Koa();
    app.use(async (ctx) => {
      await work.held;
      ctx.body = { done: true };
    });
    const url = urlOf(await listenLocally(gate.wrap(app.callback())));
    const a = send(`${url}/work`);
    await waitFor(() => gate.status().inFlight === 1, 'a in flight');
    const queued = send(`${url}/work`);
    await waitFor(() => gate.status().queued === 1, 'one queued');
    const b = send(`${url}/work`);
    const refused = await queued;
    expect(refused.status).toBe(503);
    expect(refused.headers['cache-control']).toBe('no-store');
    work.release();
    expect((await a).status).toBe(200);
    expect((await b).status).toBe(200);
  });
});
