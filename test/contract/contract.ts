import Boom from '@hapi/boom';
import createError from 'http-errors';

import { catalog } from '../../src/catalog/catalog';
import { errorClasses, NetworkAuthenticationRequired, ServiceUnavailable } from '../../src/errors/classes';
import { HTML_CSP } from '../../src/render/html-page';

/** A request as every runtime's runner sends it. */
export interface ContractRequest {
  readonly method: 'GET' | 'HEAD';
  /** Path and query. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** A response as every runner hands it back: lower-case header names, the body as text. */
export interface ContractResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
}

/**
 * Answers `request` with a server of the runtime under test whose route throws
 * what `thrown()` returns, built anew for each request, and whose error layer
 * is `serverErrors({ log })` of that runtime, `log` receiving each record.
 */
export type Runner = (thrown: () => unknown, request: ContractRequest) => Promise<ContractResponse>;

/** A runtime under test: its runner, and how to stop what it started. */
export interface Runtime {
  readonly run: Runner;
  readonly close: () => Promise<void>;
}

/** The records the runtime's `log` received, in order. */
export type Logged = Array<{ readonly status: number; readonly path: string; readonly traceId?: string }>;

interface Case {
  readonly name: string;
  readonly thrown: () => unknown;
  readonly request?: Partial<ContractRequest>;
  readonly check: (res: ContractResponse, logged: Logged) => void;
}

const problemOf = (res: ContractResponse): Record<string, unknown> => {
  expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  const body = JSON.parse(res.body) as Record<string, unknown>;
  expect(body.status).toBe(res.status);
  return body;
};

const everyAnswer = (res: ContractResponse) => {
  expect(res.headers.vary).toMatch(/\bAccept\b/);
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  if (res.body !== '') expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.body));
};

const hostileProxy = () =>
  new Proxy(
    {},
    {
      get() {
        throw new Error('trap');
      },
      getPrototypeOf() {
        throw new Error('trap');
      },
      ownKeys() {
        throw new Error('trap');
      },
      has() {
        throw new Error('trap');
      },
    },
  );

function shiftingStatus(): InstanceType<(typeof errorClasses)[500]> {
  const error = new errorClasses[500]({ detail: 'Shifty.' });
  let reads = 0;
  Object.defineProperty(error, 'status', {
    get() {
      if (reads++ === 0) return 503;
      throw new Error('second read');
    },
  });
  return error;
}

const statuses = Object.values(catalog).map((entry) => entry.status);

/** The behaviours every runtime must share: one table, run through each of them. */
export const CASES: readonly Case[] = [
  ...statuses.map((status): Case => ({
    name: `answers a thrown ${status} with its status, reason phrase, type and no message`,
    thrown: () => new errorClasses[status as keyof typeof errorClasses]({ message: 'secret words' }),
    check: (res, logged) => {
      const entry = catalog[status as keyof typeof catalog];
      expect(res.status).toBe(status);
      const problem = problemOf(res);
      expect(problem).toMatchObject({ title: entry.title, status, instance: '/contract' });
      expect(typeof problem.type).toBe('string');
      expect(res.body).not.toContain('secret words');
      expect(res.headers['cache-control']).toBe(entry.noStore ? 'no-store' : undefined);
      everyAnswer(res);
      expect(logged.map((record) => record.status)).toEqual([status]);
    },
  })),
  {
    name: 'sends Retry-After with no-store for a 503 given seconds',
    thrown: () => new ServiceUnavailable(120, { detail: 'Back in two minutes.' }),
    check: (res) => {
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('120');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(problemOf(res).detail).toBe('Back in two minutes.');
    },
  },
  {
    name: 'sends Retry-After as an HTTP-date for a 501 given a Date',
    thrown: () => new errorClasses[501](new Date(Date.UTC(2031, 0, 2, 3, 4, 5))),
    check: (res) => {
      expect(res.headers['retry-after']).toBe('Thu, 02 Jan 2031 03:04:05 GMT');
      expect(res.headers['cache-control']).toBe('no-store');
    },
  },
  {
    name: 'points a 511 at its login URL, never stored',
    thrown: () => new NetworkAuthenticationRequired({ loginUrl: 'https://wifi.example.com/login' }),
    check: (res) => {
      expect(problemOf(res).loginUrl).toBe('https://wifi.example.com/login');
      expect(res.headers['cache-control']).toBe('no-store');
    },
  },
  {
    name: 'hides the message and stack of a plain Error behind a 500',
    thrown: () => new Error('password=hunter2'),
    check: (res) => {
      expect(res.status).toBe(500);
      expect(Object.keys(problemOf(res)).sort()).toEqual(['instance', 'status', 'title', 'traceId', 'type']);
      expect(res.body).not.toContain('hunter2');
    },
  },
  {
    name: 'leaves the query out of instance and takes the trace id from X-Request-Id',
    thrown: () => new errorClasses[502](),
    request: { path: '/contract?token=secret', headers: { 'x-request-id': 'req-42' } },
    check: (res, logged) => {
      expect(problemOf(res)).toMatchObject({ instance: '/contract', traceId: 'req-42' });
      // Clients that log only headers see the id too.
      expect(res.headers['x-request-id']).toBe('req-42');
      expect(res.body).not.toContain('secret');
      expect(logged).toEqual([expect.objectContaining({ path: '/contract', traceId: 'req-42' })]);
    },
  },
  {
    name: 'takes the trace id from a valid traceparent first',
    thrown: () => new errorClasses[500](),
    request: {
      headers: {
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        'x-request-id': 'r',
      },
    },
    check: (res) => expect(problemOf(res).traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736'),
  },
  ...(
    [
      ['application/json', 'application/json; charset=utf-8', '"title":"Service Unavailable"'],
      [
        'application/problem+xml',
        'application/problem+xml; charset=utf-8',
        '<title>Service Unavailable</title>',
      ],
      ['text/html', 'text/html; charset=utf-8', '<h1>503 Service Unavailable</h1>'],
      ['text/plain', 'text/plain; charset=utf-8', '503 Service Unavailable\n'],
      ['image/png', 'application/problem+json; charset=utf-8', '"status":503'],
    ] as const
  ).map(([accept, type, shows]): Case => ({
    name: `answers a client that accepts ${accept} with ${type}`,
    thrown: () => new ServiceUnavailable(30),
    request: { headers: { accept } },
    check: (res) => {
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toBe(type);
      expect(res.body).toContain(shows);
      if (accept === 'text/html') expect(res.headers['content-security-policy']).toBe(HTML_CSP);
      everyAnswer(res);
    },
  })),
  {
    name: 'answers HEAD with the headers of GET and no body',
    thrown: () => new ServiceUnavailable(30),
    request: { method: 'HEAD' },
    check: (res) => {
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('30');
      expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(Number(res.headers['content-length'])).toBeGreaterThan(0);
      expect(res.body).toBe('');
    },
  },
  {
    name: 'renders an http-errors 4xx with its exposed message, unlogged',
    thrown: () => createError(404, 'No such order.'),
    check: (res, logged) => {
      expect(res.status).toBe(404);
      expect(problemOf(res)).toMatchObject({ title: 'Not Found', detail: 'No such order.' });
      expect(logged).toEqual([]);
    },
  },
  {
    name: 'passes on only the headers a foreign error’s status needs',
    thrown: () =>
      createError(503, {
        headers: { 'Retry-After': '9', 'Set-Cookie': 'upstream=1', Location: '/elsewhere' },
      }),
    check: (res) => {
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('9');
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.headers.location).toBeUndefined();
    },
  },
  {
    name: 'understands a Boom error',
    thrown: () => Boom.serverUnavailable('db down'),
    check: (res) => {
      expect(res.status).toBe(503);
      expect(res.body).not.toContain('db down');
    },
  },
  {
    name: 'turns a system error code into its status',
    thrown: () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    check: (res) => expect(res.status).toBe(502),
  },
  {
    name: 'answers an open circuit breaker with a 503, never stored, and when it half-opens',
    // What opossum rejects with once breakerRetryAfter() knows the breaker.
    thrown: () => Object.assign(new Error('Breaker is open'), { code: 'EOPENBREAKER', retryAfter: 12 }),
    check: (res) => {
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('12');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).not.toContain('Breaker is open');
    },
  },
  {
    name: 'sends the trace id in X-Request-Id for HEAD too, where there is no body',
    thrown: () => new errorClasses[500](),
    request: { method: 'HEAD', headers: { 'x-request-id': 'req-head' } },
    check: (res) => expect(res.headers['x-request-id']).toBe('req-head'),
  },
  {
    name: 'answers 500 for a Proxy whose every trap throws',
    thrown: hostileProxy,
    check: (res) => {
      expect(res.status).toBe(500);
      problemOf(res);
    },
  },
  {
    name: 'answers the first reading of a status that throws when read again',
    thrown: shiftingStatus,
    check: (res, logged) => {
      expect(res.status).toBe(503);
      expect(problemOf(res).detail).toBe('Shifty.');
      expect(logged.map((record) => record.status)).toEqual([503]);
    },
  },
  {
    name: 'answers 500 for a thrown string, null or undefined',
    thrown: () => 'just a string',
    check: (res) => {
      expect(res.status).toBe(500);
      expect(res.body).not.toContain('just a string');
    },
  },
  {
    name: 'keeps the trace id and the serialisable members of an extension with a cycle',
    thrown: () => {
      const cycle: Record<string, unknown> = { name: 'loop' };
      cycle.self = cycle;
      return new errorClasses[502]({ extensions: { cycle, big: 10n as unknown, kept: 'yes' } });
    },
    request: { headers: { 'x-request-id': 'req-7' } },
    check: (res) =>
      expect(problemOf(res)).toMatchObject({
        traceId: 'req-7',
        kept: 'yes',
        big: '10',
        cycle: { name: 'loop' },
      }),
  },
];

/**
 * Runs the table through one runtime: `start` builds its server (with
 * `serverErrors({ log })` installed, `log` pushing into the array it is given).
 */
export function describeContract(
  name: string,
  start: (log: (record: Logged[number]) => void) => Promise<Runtime>,
) {
  describe(`the shared behaviours on ${name}`, () => {
    let runtime: Runtime;
    const logged: Logged = [];
    beforeAll(async () => {
      runtime = await start((record) => logged.push(record));
    });
    afterAll(async () => {
      await runtime.close();
    });

    it.each(CASES.map((entry) => [entry.name, entry] as const))('%s', async (_name, entry) => {
      logged.length = 0;
      const request: ContractRequest = {
        method: entry.request?.method ?? 'GET',
        path: entry.request?.path ?? '/contract',
        headers: entry.request?.headers ?? {},
      };
      const res = await runtime.run(entry.thrown, request);
      entry.check(res, logged);
    });
  });
}
