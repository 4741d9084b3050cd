import { AsyncLocalStorage, createHook } from 'node:async_hooks';
import { once } from 'node:events';
import { Agent, IncomingMessage, request as httpRequest, type ServerResponse } from 'node:http';
import { connect as connectHttp2, createServer as createHttp2Server, Http2ServerRequest } from 'node:http2';
import type { AddressInfo } from 'node:net';

import type express5 from 'express';
import request from 'supertest';

import { catalog } from '../../src/catalog/catalog';
import { GatewayTimeout, ServiceUnavailable } from '../../src/errors/classes';
import { serverErrors } from '../../src/node/middleware';
import { deadlineOf, requestSignal } from '../../src/guards/deadline';
import { timeout } from '../../src/guards/timeout';
import { expressVersions } from '../helpers/apps';
import { caught } from '../helpers/caught';
import { closeServers, listenLocally, urlOf } from '../helpers/local-server';
import { problemOf } from '../helpers/problem';

/** Resolves when the signal aborts, with its reason. */
function aborted(signal: AbortSignal): Promise<unknown> {
  if (signal.aborted) return Promise.resolve(signal.reason);
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason)));
}

/** A promise and the function that settles it, for what a route observes. */
function observed<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Whether `target` can be reached from `start` through own data properties (looking at most 10 000 objects). */
function reaches(start: unknown, target: object): boolean {
  const seen = new Set<object>();
  const todo: unknown[] = [start];
  while (todo.length > 0 && seen.size < 10_000) {
    const value = todo.pop();
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value))
      continue;
    if (value === target) return true;
    seen.add(value);
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      if (descriptor !== undefined && 'value' in descriptor) todo.push(descriptor.value);
    }
  }
  return false;
}

/**
 * Holds back the timer a guard arms for `ms` (its queue's, which carries the
 * queue as argument) until `pass()`, so a test decides when the deadline
 * passes instead of racing a busy machine. The queue arms it when the route
 * has gone async, for what is left of `ms` by then.
 */
/** Whether a timer's delay is what is left of a deadline of `ms`, a request's synchronous part later. */
function isDeadlineTimer(delay: unknown, ms: number): boolean {
  return typeof delay === 'number' && delay <= ms && delay > ms - 1000;
}

function heldDeadline(ms: number): { pass: () => Promise<void> } {
  const realSetTimeout = global.setTimeout;
  const held = observed<() => void>();
  jest.spyOn(global, 'setTimeout').mockImplementation(((
    callback: (...args: unknown[]) => void,
    delay?: number,
    ...args: unknown[]
  ) => {
    if (!isDeadlineTimer(delay, ms) || args.length === 0) return realSetTimeout(callback, delay, ...args);
    held.resolve(() => callback(...args));
    return realSetTimeout(() => {}, 0);
  }) as typeof setTimeout);
  return { pass: async () => (await held.promise)() };
}

describe.each(expressVersions)('timeout() on %s', (_version, express) => {
  let log: jest.Mock;

  beforeEach(() => {
    log = jest.fn();
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await closeServers();
  });

  async function serve(build: (app: ReturnType<typeof express>) => void) {
    const app = express();
    build(app);
    app.use(serverErrors({ log }));
    return listenLocally(app);
  }

  /** A route that never answers by itself; it reports the signal it was handed. */
  function silentRoute(seen: (req: express5.Request) => void = () => {}): express5.RequestHandler {
    return (req) => seen(req);
  }

  it('answers 503 with no-store when the route does not answer in time', async () => {
    const server = await serve((app) => {
      app.use(timeout(30));
      app.get('/slow', silentRoute());
    });
    const res = await request(server).get('/slow?q=1');
    expect(res.status).toBe(503);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['retry-after']).toBeUndefined();
    expect(problemOf(res)).toMatchObject({
      type: catalog[503].definition?.url,
      title: 'Service Unavailable',
      status: 503,
      detail: 'The server did not finish the request in time.',
      instance: '/slow',
    });
    expect(res.text).not.toContain('30 ms');
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0]?.[0]).toMatchObject({ status: 503, path: '/slow' });
    expect((log.mock.calls[0]?.[0] as { err: Error }).err.message).toBe('timeout(): no answer within 30 ms');
  });

  it('answers 504 when given status: 504, with the detail it is given', async () => {
    const server = await serve((app) => {
      app.use(timeout(30, { status: 504, detail: 'The search backend is slow.' }));
      app.get('/search', silentRoute());
    });
    const res = await request(server).get('/search');
    expect(res.status).toBe(504);
    expect(res.headers['cache-control']).toBeUndefined();
    expect(problemOf(res)).toMatchObject({
      title: 'Gateway Timeout',
      status: 504,
      detail: 'The search backend is slow.',
    });
  });

  it('leaves a route that answers in time alone, also once its deadline passes', async () => {
    const deadline = heldDeadline(54_321);
    const server = await serve((app) => {
      app.use(timeout(54_321));
      // Answered on a later turn: one answered before the guard hands on never joins the queue.
      app.get('/fast', (_req, res) => {
        setImmediate(() => res.json({ ok: true }));
      });
    });
    const res = await request(server).get('/fast');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
    await deadline.pass();
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).not.toHaveBeenCalled();
    expect((await request(server).get('/fast')).status).toBe(200);
  });

  describe('req.signal', () => {
    /** What `req.signal` is on /timed (under timeout()) and on /plain (not). */
    async function signals(app: ReturnType<typeof express>) {
      app.get('/timed', timeout(54_321), (req, res) => {
        const { signal } = req as unknown as { signal: unknown };
        res.json({ abortSignal: signal instanceof AbortSignal, same: signal === requestSignal(req) });
      });
      app.get('/plain', (req, res) => {
        res.json({ signal: String((req as unknown as { signal: unknown }).signal) });
      });
      app.use(serverErrors({ log }));
      const server = await listenLocally(app);
      return {
        timed: (await request(server).get('/timed')).body as unknown,
        plain: (await request(server).get('/plain')).body as unknown,
      };
    }
    const TIMED = { abortSignal: true, same: true };

    it('is the deadline signal under timeout(), and absent elsewhere, in this app and others', async () => {
      expect(await signals(express())).toEqual({ timed: TIMED, plain: { signal: 'undefined' } });
      const other = express();
      other.get('/plain', (req, res) => {
        res.json({ signal: String((req as unknown as { signal: unknown }).signal) });
      });
      expect((await request(other).get('/plain')).body).toEqual({ signal: 'undefined' });
      expect(Object.hasOwn(IncomingMessage.prototype, 'signal')).toBe(false);
    });

    it('leaves the signal that the request prototype chain already had to the other requests', async () => {
      const app = express();
      const between = Object.create(Object.getPrototypeOf(app.request) as object, {
        signal: { configurable: true, get: () => 'theirs' },
      }) as object;
      Object.setPrototypeOf(app.request, between);
      expect(await signals(app)).toEqual({ timed: TIMED, plain: { signal: 'theirs' } });
    });

    it("leaves a signal of the app's own request prototype in place", async () => {
      const app = express();
      Object.defineProperty(app.request, 'signal', { configurable: true, get: () => 'own' });
      expect(await signals(app)).toEqual({ timed: TIMED, plain: { signal: 'own' } });
    });
  });

  it('aborts the signal, as req.signal and requestSignal(req), with the answered error', async () => {
    const seen = observed<express5.Request>();
    const server = await serve((app) => {
      app.use(timeout(30));
      app.get('/slow', silentRoute(seen.resolve));
    });
    const res = await request(server).get('/slow');
    const req = await seen.promise;
    const signal = requestSignal(req);
    expect((req as unknown as { signal: unknown }).signal).toBe(signal);
    const reason = await aborted(signal);
    expect(reason).toBeInstanceOf(ServiceUnavailable);
    expect(res.status).toBe(503);
    expect(log.mock.calls[0]?.[0]).toMatchObject({ err: reason });
  });

  it('hands an already aborted signal to a route that asks only after the answer', async () => {
    const seen = observed<AbortSignal>();
    const server = await serve((app) => {
      app.use(timeout(30, { status: 504 }));
      app.get('/slow', (req, res) => {
        res.on('finish', () => setImmediate(() => seen.resolve(requestSignal(req))));
      });
    });
    expect((await request(server).get('/slow')).status).toBe(504);
    const signal = await seen.promise;
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(GatewayTimeout);
  });

  it('drops what a late async handler sends: no throw, no bytes, no error, no unhandled rejection', async () => {
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    const outcome = observed<{ returned: boolean; bytes: number; errors: unknown[] }>();
    try {
      const server = await serve((app) => {
        app.use(timeout(30));
        app.get('/late', async (req, res) => {
          const errors: unknown[] = [];
          res.on('error', (error) => errors.push(error));
          let returned = false;
          try {
            await aborted(requestSignal(req));
            await new Promise((resolve) => setImmediate(resolve));
            const before = req.socket.bytesWritten;
            res.status(200).set('X-Late', 'yes').json({ late: true });
            res.send('late');
            res.setHeader('X-Later', 'yes');
            res.removeHeader('Content-Type');
            res.writeHead(200);
            res.write('late');
            res.end('late');
            await new Promise((resolve) => setImmediate(resolve));
            returned = true;
            outcome.resolve({ returned, bytes: req.socket.bytesWritten - before, errors });
          } finally {
            if (!returned) outcome.resolve({ returned, bytes: 0, errors });
          }
        });
      });
      const res = await request(server).get('/late');
      expect(res.status).toBe(503);
      expect(problemOf(res).status).toBe(503);
      expect(res.headers['x-late']).toBeUndefined();
      expect(await outcome.promise).toEqual({ returned: true, bytes: 0, errors: [] });
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).not.toHaveBeenCalled();
      expect(log).toHaveBeenCalledTimes(1);
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('drops what an abort listener sends at once, before the 503 has even left', async () => {
    const outcome = observed<{ wrote: unknown; ended: unknown; errors: unknown[]; callbacks: number }>();
    const server = await serve((app) => {
      app.use(timeout(30));
      app.get('/late', (req, res) => {
        const errors: unknown[] = [];
        res.on('error', (error) => errors.push(error));
        requestSignal(req).addEventListener('abort', () => {
          let callbacks = 0;
          const wrote = res.write('too late', 'utf8', () => callbacks++);
          const ended = res.end('too late', 'utf8', () => callbacks++);
          setImmediate(() => outcome.resolve({ wrote, ended: ended === res, errors, callbacks }));
        });
      });
    });
    const res = await request(server).get('/late');
    expect(res.status).toBe(503);
    expect(res.text).not.toContain('too late');
    // What Node's write and end answer when they work: true, the response, and each callback once.
    expect(await outcome.promise).toEqual({ wrote: true, ended: true, errors: [], callbacks: 2 });
  });

  it('keeps the connection usable for the next request after a late answer was dropped', async () => {
    const late = observed<void>();
    const server = await serve((app) => {
      app.use(timeout(30));
      app.get('/late', async (req, res) => {
        await aborted(requestSignal(req));
        res.json({ late: true });
        late.resolve();
      });
      app.get('/next', (_req, res) => {
        res.json({ next: true });
      });
    });
    // One keep-alive socket for both requests: stray bytes from /late would corrupt /next.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const get = async (path: string) => {
        const req = httpRequest(`${urlOf(server)}${path}`, { agent });
        req.end();
        const [res] = (await once(req, 'response')) as [IncomingMessage];
        let body = '';
        for await (const chunk of res) body += String(chunk);
        return { status: res.statusCode, body, socket: req.socket };
      };
      const first = await get('/late');
      await late.promise;
      const second = await get('/next');
      expect(first.status).toBe(503);
      expect(second).toMatchObject({ status: 200, body: '{"next":true}' });
      expect(second.socket).toBe(first.socket);
    } finally {
      agent.destroy();
    }
  });

  it('aborts a real fetch to a slow upstream started with the signal', async () => {
    const deadline = heldDeadline(45_678);
    const upstreamClosed = observed<void>();
    const upstream = await listenLocally((req) => {
      req.socket.on('close', () => upstreamClosed.resolve());
      // The deadline passes only once the fetch is truly under way.
      void deadline.pass();
    });
    const fetchFailure = observed<{ error: unknown; reason: unknown }>();
    const server = await serve((app) => {
      app.use(timeout(45_678));
      app.get('/proxy', async (req, res) => {
        try {
          const answer = await fetch(`${urlOf(upstream)}/slow`, { signal: requestSignal(req) });
          res.json(await answer.json());
        } catch (error) {
          fetchFailure.resolve({ error, reason: requestSignal(req).reason });
        }
      });
    });
    const res = await request(server).get('/proxy');
    expect(res.status).toBe(503);
    const { error, reason } = await fetchFailure.promise;
    expect(reason).toBeInstanceOf(ServiceUnavailable);
    expect(error).toBe(reason);
    await upstreamClosed.promise;
  });

  it("follows the README's recipe: the route's aborted fetch rejects, and only serverErrors() sees it", async () => {
    const deadline = heldDeadline(45_679);
    const upstream = await listenLocally(() => void deadline.pass());
    const printed = jest.spyOn(console, 'error').mockImplementation(() => {});
    const rejected = observed<void>();
    const app = express();
    // Express's own final handler prints every error it is handed, outside any log option.
    app.set('env', 'production');
    app.use(timeout(45_679));
    app.get('/report', (req, res, next) => {
      // The README's route; Express 4 needs the rejection handed to next.
      (async () => {
        const answer = await fetch(`${urlOf(upstream)}/daily`, { signal: requestSignal(req) });
        res.json(await answer.json());
      })().catch((error: unknown) => {
        next(error);
        setImmediate(() => rejected.resolve());
      });
    });
    app.get('/next', (_req, res) => {
      res.json({ next: true });
    });
    app.use(serverErrors({ log }));
    const server = await listenLocally(app);
    // One keep-alive socket for both requests: Express's final handler would destroy it.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const get = async (path: string) => {
        const req = httpRequest(`${urlOf(server)}${path}`, { agent });
        req.end();
        const [res] = (await once(req, 'response')) as [IncomingMessage];
        let body = '';
        for await (const chunk of res) body += String(chunk);
        return { status: res.statusCode, body, socket: req.socket };
      };
      const first = await get('/report');
      await rejected.promise;
      await new Promise((resolve) => setImmediate(resolve));
      const second = await get('/next');
      expect(first.status).toBe(503);
      expect(JSON.parse(first.body)).toMatchObject({ status: 503 });
      expect(second).toMatchObject({ status: 200, body: '{"next":true}' });
      expect(second.socket).toBe(first.socket);
      expect(printed).not.toHaveBeenCalled();
      expect(log).toHaveBeenCalledTimes(1);
    } finally {
      agent.destroy();
    }
  });

  it('answers with its own error when the route hands on another after the abort', async () => {
    const server = await serve((app) => {
      app.use(timeout(30));
      app.get('/wrapped', async (req, _res, next) => {
        await aborted(requestSignal(req));
        next(new GatewayTimeout({ detail: 'The route blames its upstream.' }));
      });
    });
    const res = await request(server).get('/wrapped');
    expect(res.status).toBe(503);
    expect(problemOf(res).detail).toBe('The server did not finish the request in time.');
  });

  it('aborts the signal when the client goes away, answering nothing', async () => {
    const seen = observed<express5.Request>();
    const server = await serve((app) => {
      app.use(timeout(43_210));
      app.get('/slow', silentRoute(seen.resolve));
    });
    const client = httpRequest(`${urlOf(server)}/slow`);
    client.on('error', () => {});
    client.end();
    const req = await seen.promise;
    client.destroy();
    const reason = await aborted(requestSignal(req));
    expect(reason).toMatchObject({ name: 'AbortError' });
    expect(log).not.toHaveBeenCalled();
  });

  it('leaves a response already under way to the route', async () => {
    const deadline = heldDeadline(34_567);
    const seen = observed<express5.Request>();
    const server = await serve((app) => {
      app.use(timeout(34_567));
      app.get('/stream', async (req, res) => {
        // Started on a later turn: one started before the guard hands on never joins the queue.
        await new Promise((resolve) => setImmediate(resolve));
        res.write('part one, ');
        seen.resolve(req);
        await deadline.pass();
        res.end('part two');
      });
    });
    const res = await request(server).get('/stream');
    expect(res.status).toBe(200);
    expect(res.text).toBe('part one, part two');
    expect(requestSignal(await seen.promise).aborted).toBe(false);
    expect(log).not.toHaveBeenCalled();
  });

  it('runs nothing after a later timeout() once the first deadline has passed', async () => {
    const reached = jest.fn();
    const server = await serve((app) => {
      app.use(timeout(30));
      app.get(
        '/slow',
        (_req, _res, next) => {
          setTimeout(next, 90);
        },
        timeout(60_000),
        (_req, res) => {
          reached();
          res.json({ late: true });
        },
      );
    });
    const res = await request(server).get('/slow');
    expect(res.status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(reached).not.toHaveBeenCalled();
  });

  it('says the upstream did not answer in time on a 504 without its own detail', async () => {
    const server = await serve((app) => {
      app.use(timeout(30, { status: 504 }));
      app.get('/search', silentRoute());
    });
    const res = await request(server).get('/search');
    expect(problemOf(res)).toMatchObject({
      status: 504,
      detail: 'The upstream server did not answer in time.',
    });
  });

  it('lets a later timeout() on the same request replace the deadline', async () => {
    const signals = observed<[AbortSignal, AbortSignal]>();
    const server = await serve((app) => {
      app.use(timeout(60_000));
      app.get(
        '/slow',
        (req, _res, next) => {
          const early = requestSignal(req);
          next();
          signals.resolve([early, requestSignal(req)]);
        },
        timeout(30, { status: 504 }),
        silentRoute(),
      );
    });
    const res = await request(server).get('/slow');
    expect(res.status).toBe(504);
    const [early, late] = await signals.promise;
    expect(late).toBe(early);
    expect(early.reason).toBeInstanceOf(GatewayTimeout);
  });

  it('answers through the error handler after the timeout() that set the deadline', async () => {
    const routerLog = jest.fn();
    const server = await serve((app) => {
      const router = express.Router();
      router.use(timeout(30));
      router.get('/slow', silentRoute());
      router.use(serverErrors({ log: routerLog }));
      app.use(timeout(60_000));
      app.use('/api', router);
    });
    expect((await request(server).get('/api/slow')).status).toBe(503);
    expect(routerLog).toHaveBeenCalledTimes(1);
    expect(log).not.toHaveBeenCalled();
  });
});

describe.each(expressVersions)('the deadlines of one timeout() on %s', (_version, express) => {
  afterEach(async () => {
    jest.restoreAllMocks();
    await closeServers();
  });

  it('give an Express request no property of its own, since each one costs it a new hidden class', async () => {
    const app = express();
    let before: Array<string | symbol> = [];
    let added: string[] = [];
    app.use((req, _res, next) => {
      before = Reflect.ownKeys(req);
      next();
    });
    app.use(timeout(60_000));
    app.use((req, _res, next) => {
      added = Reflect.ownKeys(req)
        .filter((key) => !before.includes(key))
        .map(String);
      next();
    });
    // The deadline is there, for the signal to find, but not on the request.
    app.get('/', (req, res) => res.json({ aborted: requestSignal(req).aborted }));
    const server = await listenLocally(app);
    expect((await request(server).get('/')).body).toEqual({ aborted: false });
    expect(added).toEqual([]);
  });

  it('keep beside an Express request nothing that leads back to it, so it can go while young', async () => {
    // V8's young-generation collector keeps a WeakMap's value alive whatever its
    // key: a path from the value to the request kept every request to the old generation.
    const app = express();
    app.use(timeout(60_000));
    let kept: { deadline: unknown; req: object; res: object } | undefined;
    app.get('/', (req, res) => {
      const signal = requestSignal(req);
      kept = { deadline: deadlineOf(req), req, res };
      res.json({ aborted: signal.aborted });
    });
    const server = await listenLocally(app);
    expect((await request(server).get('/')).body).toEqual({ aborted: false });
    expect(kept?.deadline).toBeDefined();
    expect([reaches(kept?.deadline, kept!.req), reaches(kept?.deadline, kept!.res)]).toEqual([false, false]);
  });

  it("share one unref'd timer, however many requests are in flight, which never keeps the process alive", async () => {
    const setSpy = jest.spyOn(global, 'setTimeout');
    const answers: Array<() => void> = [];
    const app = express();
    app.use(timeout(43_210));
    app.get('/held', (_req, res) => {
      answers.push(() => res.json({ ok: true }));
    });
    app.use(serverErrors({ log: false }));
    const server = await listenLocally(app);
    // supertest sends a request only once it is awaited.
    const pending = Array.from({ length: 20 }, () =>
      request(server)
        .get('/held')
        .then((res) => res),
    );
    while (answers.length < 20) await new Promise((resolve) => setImmediate(resolve));
    const timers = setSpy.mock.results
      .filter((_result, i) => isDeadlineTimer(setSpy.mock.calls[i]?.[1], 43_210))
      .map((result) => result.value as NodeJS.Timeout);
    expect(timers).toHaveLength(1);
    expect(timers[0]?.hasRef()).toBe(false);
    for (const answer of answers) answer();
    expect((await Promise.all(pending)).map((res) => res.status)).toEqual(Array(20).fill(200));
  });

  it('keep no async context for a request answered before the guard hands on, and one for each that waits', async () => {
    // The AsyncResource that carries a request's context to its 503 is the
    // dearest part of a deadline; a request answered synchronously never needs it.
    const scopes: number[] = [];
    const hook = createHook({
      init: (id, type) => void (type === 'server-errors.timeout' && scopes.push(id)),
    }).enable();
    try {
      const app = express();
      app.use(timeout(60_000));
      app.get('/now', (_req, res) => res.json({ ok: true }));
      app.get('/later', (_req, res) => void setImmediate(() => res.json({ ok: true })));
      const server = await listenLocally(app);
      for (let i = 0; i < 3; i++) expect((await request(server).get('/now')).status).toBe(200);
      expect(scopes).toHaveLength(0);
      for (let i = 0; i < 3; i++) expect((await request(server).get('/later')).status).toBe(200);
      expect(scopes).toHaveLength(3);
    } finally {
      hook.disable();
    }
  });

  it('keep none in the table for a request answered and ended at once, whose signal asked later does not abort', async () => {
    // The table's entry was most of what the guard cost such a request, and kept its deadline past the young generation.
    type Route = 'now' | 'asked' | 'later' | 'streaming';
    const requests: Partial<Record<Route, express5.Request>> = {};
    const app = express();
    app.use(timeout(60_000));
    app.get('/now', (req, res) => {
      requests.now = req;
      res.json({ ok: true });
    });
    app.get('/asked', (req, res) => {
      requests.asked = req;
      res.json({ aborted: requestSignal(req).aborted });
    });
    app.get('/later', (req, res) => {
      requests.later = req;
      setImmediate(() => res.json({ ok: true }));
    });
    app.get('/streaming', (req, res) => {
      requests.streaming = req;
      res.write('{');
      setImmediate(() => res.end('}'));
    });
    const server = await listenLocally(app);
    for (const path of ['/now', '/asked', '/later', '/streaming']) {
      expect((await request(server).get(path)).status).toBe(200);
    }
    const { now, asked, later, streaming } = requests as Record<Route, express5.Request>;
    expect([now, asked, later, streaming].map((req) => deadlineOf(req) !== undefined)).toEqual([
      false,
      true,
      true,
      true,
    ]);
    // Asked for afterwards, as before: one signal, the same each time, not aborted.
    const signal = requestSignal(now);
    expect([signal instanceof AbortSignal, signal.aborted, requestSignal(now) === signal]).toEqual([
      true,
      false,
      true,
    ]);
    expect((now as unknown as { signal: unknown }).signal).toBe(signal);
  });

  it('still refuses the signal of a request of the same app that no timeout() ran for, while it runs', async () => {
    const app = express();
    app.get('/bare', (req, res) => {
      res.json({ error: caught(() => requestSignal(req)).code });
    });
    app.use(timeout(60_000));
    app.get('/ok', (_req, res) => res.json({ ok: true }));
    const server = await listenLocally(app);
    expect((await request(server).get('/ok')).status).toBe(200);
    expect((await request(server).get('/bare')).body).toEqual({ error: 'ERR_SERVER_ERRORS_NOT_CALLED' });
  });

  it('arm no timer for requests answered before the guard hands them on', async () => {
    const setSpy = jest.spyOn(global, 'setTimeout');
    const app = express();
    app.use(timeout(43_211));
    app.get('/now', (_req, res) => res.json({ ok: true }));
    const server = await listenLocally(app);
    for (let i = 0; i < 3; i++) expect((await request(server).get('/now')).status).toBe(200);
    expect(setSpy.mock.calls.filter((call) => isDeadlineTimer(call[1], 43_211))).toEqual([]);
  });

  it('answer in time after a request answered at once took the timer with it', async () => {
    // The first request arms the queue's timer and leaves the queue on the spot;
    // the one after it must still be answered at its own deadline, not lost or early.
    const app = express();
    app.use(timeout(80));
    app.get('/now', (_req, res) => res.json({ ok: true }));
    app.get('/never', () => undefined);
    app.use(serverErrors({ log: false }));
    const server = await listenLocally(app);
    expect((await request(server).get('/now')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const started = performance.now();
    expect((await request(server).get('/never')).status).toBe(503);
    expect(performance.now() - started).toBeGreaterThanOrEqual(79);
  });

  it('answers with what the route set in its async context before going async, though it ignores its signal', async () => {
    const store = new AsyncLocalStorage<string>();
    const seen: unknown[] = [];
    const app = express();
    app.use((_req, _res, next) => store.run('from a middleware', next));
    app.use(timeout(30));
    app.get('/', () => {
      store.enterWith('from the route');
    });
    app.use(serverErrors({ log: () => seen.push(store.getStore()) }));
    const server = await listenLocally(app);
    expect((await request(server).get('/')).status).toBe(503);
    expect(seen).toEqual(['from the route']);
  });

  it('answers a request in the async context its guard left, so log and customize see it', async () => {
    const store = new AsyncLocalStorage<{ user: string }>();
    const seen: Array<[string, unknown]> = [];
    const silent = await listenLocally(() => undefined);
    const app = express();
    // A request-scoped value, as a logging or auth middleware sets it.
    app.use((req, _res, next) => store.run({ user: String(req.headers['x-user']) }, next));
    app.use(timeout(30));
    app.get('/ignores-its-signal', () => undefined);
    app.get('/awaits-its-signal', async (req, _res, next) => {
      // Set by the route itself; its aborted call's rejection carries it to the handler.
      store.enterWith({ user: `${String(req.headers['x-user'])} in the route` });
      await fetch(`${urlOf(silent)}/never`, { signal: requestSignal(req) }).catch(next);
    });
    app.use(
      serverErrors({
        log: () => seen.push(['log', store.getStore()?.user]),
        customize: () => void seen.push(['customize', store.getStore()?.user]),
      }),
    );
    const server = await listenLocally(app);
    // Two requests in flight at once: each answer must see its own value.
    const [a, b] = await Promise.all([
      request(server).get('/ignores-its-signal').set('X-User', 'ada'),
      request(server).get('/ignores-its-signal').set('X-User', 'bob'),
    ]);
    expect([a.status, b.status]).toEqual([503, 503]);
    expect(seen.sort()).toEqual([
      ['customize', 'ada'],
      ['customize', 'bob'],
      ['log', 'ada'],
      ['log', 'bob'],
    ]);
    seen.length = 0;
    expect((await request(server).get('/awaits-its-signal').set('X-User', 'cy')).status).toBe(503);
    expect(seen).toEqual([
      ['customize', 'cy in the route'],
      ['log', 'cy in the route'],
    ]);
  });
});

describe('req.signal on a bare node:http server', () => {
  afterEach(closeServers);

  it("is a property of the request itself, never of Node's shared prototype", async () => {
    const guard = timeout(54_321);
    const server = await listenLocally((req, res) => {
      guard(req, res, () => {
        const { signal } = req as unknown as { signal: unknown };
        res.end(JSON.stringify([signal instanceof AbortSignal, signal === requestSignal(req)]));
      });
    });
    expect(JSON.parse((await request(server).get('/')).text)).toEqual([true, true]);
    expect(Object.hasOwn(IncomingMessage.prototype, 'signal')).toBe(false);
  });

  it('keeps the deadline of a request answered at once, which does not point to its response', async () => {
    const guard = timeout(54_321);
    const seen = observed<IncomingMessage>();
    const server = await listenLocally((req, res) => {
      guard(req, res, () => {
        res.end('done');
        seen.resolve(req);
      });
    });
    expect((await request(server).get('/')).text).toBe('done');
    const req = await seen.promise;
    expect(requestSignal(req).aborted).toBe(false);
  });

  it("answers deadlines in the order they were set, though a request handled inside another's route waits first", async () => {
    // The inner request's deadline is set later but queued first: it must not hold back the outer one's.
    const guard = timeout(40);
    const order: string[] = [];
    let inner: [IncomingMessage, ServerResponse] | undefined;
    const answer = (name: string, res: ServerResponse) => (err?: unknown) => {
      if (err === undefined) return;
      order.push(name);
      res.statusCode = 503;
      res.end();
    };
    const server = await listenLocally((req, res) => {
      if (req.url === '/inner') {
        inner = [req, res];
        return;
      }
      guard(req, res, (err) => {
        if (err !== undefined) return answer('outer', res)(err);
        const [innerReq, innerRes] = inner as [IncomingMessage, ServerResponse];
        guard(innerReq, innerRes, answer('inner', innerRes));
      });
    });
    const innerStatus = request(server)
      .get('/inner')
      .then((res) => res.status);
    while (inner === undefined) await new Promise((resolve) => setImmediate(resolve));
    expect((await request(server).get('/outer')).status).toBe(503);
    expect(await innerStatus).toBe(503);
    expect(order).toEqual(['outer', 'inner']);
  });

  it('aborts when the client goes away, though the request does not point to its response', async () => {
    const guard = timeout(54_321);
    const seen = observed<IncomingMessage>();
    const server = await listenLocally((req, res) => guard(req, res, () => seen.resolve(req)));
    const client = httpRequest(`${urlOf(server)}/`);
    client.on('error', () => {});
    client.end();
    const req = await seen.promise;
    expect(Object.hasOwn(req, 'res')).toBe(false);
    client.destroy();
    expect(await aborted(requestSignal(req))).toMatchObject({ name: 'AbortError' });
  });
});

describe('req.signal on an HTTP/2 compatibility server', () => {
  it("is a property of the request itself, never of Node's shared Http2ServerRequest prototype", async () => {
    const guard = timeout(54_321);
    const server = createHttp2Server((req, res) => {
      guard(req as never, res as never, () => {
        const { signal } = req as unknown as { signal: unknown };
        res.end(JSON.stringify([signal instanceof AbortSignal, Object.hasOwn(req, 'signal')]));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const client = connectHttp2(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      const stream = client.request({ ':path': '/' });
      stream.setEncoding('utf8');
      let body = '';
      stream.on('data', (chunk: string) => (body += chunk));
      await once(stream, 'end');
      expect(JSON.parse(body)).toEqual([true, true]);
      expect(Object.hasOwn(Http2ServerRequest.prototype, 'signal')).toBe(false);
    } finally {
      client.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('requestSignal', () => {
  it('explains that it needs timeout() to have run for the request', () => {
    const error = caught(() => requestSignal({ headers: {} } as IncomingMessage));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe('ERR_SERVER_ERRORS_NOT_CALLED');
    expect(error.message).toMatch(/^requestSignal\(req\): no timeout\(\) ran for this request/);
  });
});

describe('timeout options', () => {
  it('accepts a duration alone and every valid option', () => {
    expect(() => timeout(1)).not.toThrow();
    expect(() => timeout(2 ** 31 - 1, { status: 504, detail: 'Slow upstream.' })).not.toThrow();
    expect(() => timeout(1500.5, { status: 503 })).not.toThrow();
  });

  it.each([
    [
      undefined,
      undefined,
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /ms must be .*; received undefined\./,
    ],
    ['5s', undefined, TypeError, 'ERR_SERVER_ERRORS_INVALID_OPTION', /received "5s"\./],
    // A numeric string compares like a number: only the type check refuses it.
    ['5000', undefined, TypeError, 'ERR_SERVER_ERRORS_INVALID_OPTION', /received "5000"\./],
    [
      0,
      undefined,
      RangeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /ms must be a number of milliseconds from 1 to 2147483647; received 0\./,
    ],
    [-5, undefined, RangeError, 'ERR_SERVER_ERRORS_INVALID_OPTION', /received -5\./],
    [Number.NaN, undefined, RangeError, 'ERR_SERVER_ERRORS_INVALID_OPTION', /received NaN\./],
    [Infinity, undefined, RangeError, 'ERR_SERVER_ERRORS_INVALID_OPTION', /received Infinity\./],
    [2 ** 31, undefined, RangeError, 'ERR_SERVER_ERRORS_INVALID_OPTION', /received 2147483648\./],
    [
      5000,
      { status: 500 },
      RangeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "status" must be 503 or 504; received 500\./,
    ],
    [
      5000,
      { status: '504' },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "status" must be 503 or 504; received "504"\./,
    ],
    [
      5000,
      { detail: '' },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "detail" must be a non-empty string; received ""\./,
    ],
    [
      5000,
      { statsu: 504 },
      TypeError,
      'ERR_SERVER_ERRORS_UNKNOWN_OPTION',
      /unknown option "statsu"\. Did you mean "status"\? Known options: status, detail\./,
    ],
    [
      5000,
      504,
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTIONS',
      /the options must be an options object; received 504\./,
    ],
  ])('refuses timeout(%p, %p) at start-up with a %p', (ms, options, Kind, code, message) => {
    const error = caught(() => timeout(ms as never, options as never));
    expect(error).toBeInstanceOf(Kind);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(/^timeout\(\): /);
    expect(error.message).toMatch(message);
  });

  it('explains app.use(timeout) written without the call', () => {
    const req = { method: 'GET', url: '/', headers: {}, socket: {} };
    const error = caught(() => (timeout as (req: unknown, res: unknown) => unknown)(req, {}));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe('ERR_SERVER_ERRORS_NOT_CALLED');
    expect(error.message).toContain('app.use(timeout(5000))');
  });
});
