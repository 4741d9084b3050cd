import perfHooks from 'node:perf_hooks';

import request from 'supertest';

import { catalog } from '../../src/catalog/catalog';
import {
  type LoadSheddingGuard,
  type LoadSheddingOptions,
  loadShedding,
} from '../../src/guards/load-shedding';
import { serverErrors } from '../../src/node/middleware';
import { expressVersions } from '../helpers/apps';
import { caught } from '../helpers/caught';
import { closeServers, listenLocally } from '../helpers/local-server';
import { problemOf } from '../helpers/problem';
import { waitFor } from '../helpers/wait-for';

// Generous: the machine may be busy with other suites; nothing here measures speed.
const PATIENCE = 30_000;

/** Blocks the event loop for real, as a synchronous hot loop in a handler would. */
function blockEventLoop(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // Spin: nothing else may run.
  }
}

const guards: LoadSheddingGuard[] = [];

function shedding(options: LoadSheddingOptions): LoadSheddingGuard {
  const guard = loadShedding(options);
  guards.push(guard);
  return guard;
}

afterEach(async () => {
  for (const guard of guards.splice(0)) guard.close();
  await closeServers();
});

describe.each(expressVersions)('loadShedding() on %s', (_version, express) => {
  async function serve(guard: LoadSheddingGuard) {
    const app = express();
    app.get('/health', (_req, res) => {
      res.json(guard.status());
    });
    app.use(guard);
    app.get('/work', (_req, res) => {
      res.json({ done: true });
    });
    app.use(serverErrors());
    return request(await listenLocally(app));
  }

  it('lets requests through while every limit holds', async () => {
    const client = await serve(shedding({ maxHeapUsedBytes: Number.MAX_SAFE_INTEGER }));
    const res = await client.get('/work');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ done: true });
  });

  it('sheds with a 503 problem, Retry-After: 10 and no-store while memory is over the limit', async () => {
    const client = await serve(shedding({ maxHeapUsedBytes: 1 }));
    const res = await client.get('/work');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('10');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(problemOf(res)).toMatchObject({
      type: catalog[503].definition?.url,
      title: 'Service Unavailable',
      status: 503,
      detail: 'The server is too busy right now; try again shortly.',
      instance: '/work',
    });
  });

  it('sends retryAfter: 0 as 0, not as the default', async () => {
    const client = await serve(shedding({ maxRssBytes: 1, retryAfter: 0, detail: 'Busy.' }));
    const res = await client.get('/work');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('0');
    expect(problemOf(res).detail).toBe('Busy.');
  });

  it('reports its readings for a health route placed before it', async () => {
    const client = await serve(shedding({ maxRssBytes: 1, maxHeapUsedBytes: Number.MAX_SAFE_INTEGER }));
    const res = await client.get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      underPressure: true,
      eventLoopDelay: expect.any(Number),
      eventLoopUtilization: expect.any(Number),
      heapUsedBytes: expect.any(Number),
      rssBytes: expect.any(Number),
      exceeded: ['maxRssBytes'],
    });
    expect(res.body.heapUsedBytes).toBeGreaterThan(0);
    expect(res.body.rssBytes).toBeGreaterThanOrEqual(res.body.heapUsedBytes);
  });

  it(
    'sheds while the event loop is blocked, then lets requests through again',
    async () => {
      const guard = shedding({ maxEventLoopDelay: 50, sampleInterval: 100, retryAfter: 7 });
      const client = await serve(guard);
      expect((await client.get('/work')).status).toBe(200);
      // The verdict lasts one sample interval; on a busy machine a request can
      // miss it, so block again until one arrives while it stands.
      let shed;
      for (let attempt = 0; shed === undefined && attempt < 10; attempt++) {
        blockEventLoop(800);
        await waitFor(() => guard.status().underPressure, 'the blocked loop to be noticed');
        const res = await client.get('/work');
        if (res.status !== 200) shed = res;
      }
      expect(shed?.status).toBe(503);
      expect(shed?.headers['retry-after']).toBe('7');
      expect(shed?.headers['cache-control']).toBe('no-store');
      await waitFor(() => !guard.status().underPressure, 'the loop to recover');
      expect(guard.status().exceeded).toEqual([]);
      expect((await client.get('/work')).status).toBe(200);
    },
    PATIENCE * 2,
  );
});

describe('loadShedding readings', () => {
  it(
    'names the event-loop limits a blocked loop exceeds',
    async () => {
      const guard = shedding({ maxEventLoopDelay: 50, maxEventLoopUtilization: 0.5, sampleInterval: 100 });
      blockEventLoop(800);
      await waitFor(() => guard.status().underPressure, 'the blocked loop to be noticed');
      const status = guard.status();
      expect(status.exceeded.length).toBeGreaterThan(0);
      expect(['maxEventLoopDelay', 'maxEventLoopUtilization']).toEqual(
        expect.arrayContaining([...status.exceeded]),
      );
      if (status.exceeded.includes('maxEventLoopDelay')) expect(status.eventLoopDelay).toBeGreaterThan(50);
      if (status.exceeded.includes('maxEventLoopUtilization')) {
        expect(status.eventLoopUtilization).toBeGreaterThan(0.5);
      }
    },
    PATIENCE * 2,
  );

  it('takes a new sample every interval, on a timer that does not hold the process open', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
    const before = timers();
    const guard = shedding({ maxRssBytes: Number.MAX_SAFE_INTEGER, sampleInterval: 20 });
    expect(timers()).toBe(before);
    const first = guard.status();
    expect(first.underPressure).toBe(false);
    expect(Object.isFrozen(first)).toBe(true);
    await waitFor(() => guard.status() !== first, 'a new sample');
    expect(guard.status().eventLoopUtilization).toBeGreaterThanOrEqual(0);
    expect(guard.status().eventLoopUtilization).toBeLessThanOrEqual(1);
  });

  it('stops sampling and shedding once closed', async () => {
    const guard = shedding({ maxHeapUsedBytes: 1, sampleInterval: 10 });
    expect(guard.status().underPressure).toBe(true);
    guard.close();
    guard.close();
    const last = guard.status();
    expect(last.underPressure).toBe(false);
    expect(last.exceeded).toEqual(['maxHeapUsedBytes']);
    const next = jest.fn();
    guard({} as never, {} as never, next);
    expect(next).toHaveBeenCalledWith();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(guard.status()).toBe(last);
  });

  it('passes a ServiceUnavailable naming the exceeded limits to next while shedding', () => {
    const guard = shedding({ maxHeapUsedBytes: 1, maxRssBytes: 1, retryAfter: 3 });
    const next = jest.fn();
    guard({} as never, {} as never, next);
    const [error] = next.mock.calls[0] as [Error & { status: number; retryAfter: number }];
    expect(error.name).toBe('ServiceUnavailable');
    expect(error.status).toBe(503);
    expect(error.retryAfter).toBe(3);
    expect(error.message).toBe('loadShedding(): exceeded maxHeapUsedBytes, maxRssBytes');
  });
});

describe('loadShedding options', () => {
  it('accepts one limit, and every valid option', () => {
    expect(() => shedding({ maxEventLoopDelay: 100 })).not.toThrow();
    expect(() =>
      shedding({
        maxEventLoopDelay: 0.5,
        maxEventLoopUtilization: 1,
        maxHeapUsedBytes: 1e9,
        maxRssBytes: 2e9,
        retryAfter: 0,
        sampleInterval: 2 ** 31 - 1,
        detail: 'Busy.',
      }),
    ).not.toThrow();
  });

  it.each([
    [
      {},
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTIONS',
      /set at least one limit \(maxEventLoopDelay, maxEventLoopUtilization, maxHeapUsedBytes, maxRssBytes\), or it never sheds; received \{\}\./,
    ],
    [
      { retryAfter: 5 },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTIONS',
      /set at least one limit .*; received \{"retryAfter":5\}\./,
    ],
    [
      { maxEventLoopDelay: 0 },
      RangeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "maxEventLoopDelay" must be a positive, finite number of milliseconds; received 0\./,
    ],
    [{ maxEventLoopDelay: Infinity }, RangeError, 'ERR_SERVER_ERRORS_INVALID_OPTION', /received Infinity\./],
    [{ maxEventLoopDelay: '100' }, TypeError, 'ERR_SERVER_ERRORS_INVALID_OPTION', /received "100"\./],
    [
      { maxEventLoopUtilization: 1.5 },
      RangeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "maxEventLoopUtilization" must be a number above 0 and at most 1; received 1\.5\./,
    ],
    [{ maxEventLoopUtilization: 0 }, RangeError, 'ERR_SERVER_ERRORS_INVALID_OPTION', /received 0\./],
    [
      { maxHeapUsedBytes: -1 },
      RangeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "maxHeapUsedBytes" must be a positive, finite number of bytes; received -1\./,
    ],
    [
      { maxRssBytes: Number.NaN },
      RangeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "maxRssBytes" must be .*; received NaN\./,
    ],
    [
      { maxRssBytes: 1, retryAfter: -1 },
      RangeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "retryAfter" must be a non-negative, finite number of seconds; received -1\./,
    ],
    [
      { maxRssBytes: 1, sampleInterval: 0 },
      RangeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "sampleInterval" must be an integer number of milliseconds from 1 to 2147483647; received 0\./,
    ],
    [
      { maxRssBytes: 1, sampleInterval: 2 ** 31 },
      RangeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /received 2147483648\./,
    ],
    [
      { maxRssBytes: 1, sampleInterval: 10.5 },
      RangeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /received 10\.5\./,
    ],
    [
      { maxRssBytes: 1, detail: 7 },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "detail" must be a non-empty string; received 7\./,
    ],
    [
      { maxHeapUsed: 1e9 },
      TypeError,
      'ERR_SERVER_ERRORS_UNKNOWN_OPTION',
      /unknown option "maxHeapUsed"\. Did you mean "maxHeapUsedBytes"\?/,
    ],
    [
      undefined,
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTIONS',
      /set at least one limit .*; received undefined\./,
    ],
  ])('refuses %p at start-up with a %p', (options, Kind, code, message) => {
    const error = caught(() => shedding(options as never));
    expect(error).toBeInstanceOf(Kind);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(/^loadShedding\(\): /);
    expect(error.message).toMatch(message);
  });

  it('explains app.use(loadShedding) written without the call', () => {
    const req = { method: 'GET', url: '/', headers: {}, socket: {} };
    const error = caught(() => (loadShedding as (req: unknown) => unknown)(req));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe('ERR_SERVER_ERRORS_NOT_CALLED');
    expect(error.message).toContain('app.use(loadShedding())');
  });
});

describe('loadShedding() clock work', () => {
  afterEach(() => jest.restoreAllMocks());

  // The histogram's timer fires every 10 ms whether or not requests come: without
  // the one limit that reads it, a guard must not keep a process waking for it.
  it.each([
    [{ maxRssBytes: 8e9 }, 0],
    [{ maxHeapUsedBytes: 8e9, maxEventLoopUtilization: 0.99 }, 0],
    [{ maxEventLoopDelay: 1000 }, 1],
  ] as const)('with %p, starts %p event-loop delay histograms', (options, histograms) => {
    const started = jest.spyOn(perfHooks, 'monitorEventLoopDelay');
    const guard = shedding(options);
    expect(started).toHaveBeenCalledTimes(histograms);
    // Its readings keep their shape either way.
    expect(guard.status().eventLoopDelay).toBeGreaterThanOrEqual(0);
  });
});
