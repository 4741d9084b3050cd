import { createServer, get as httpGet, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import express from 'express';
import fc from 'fast-check';
import request from 'supertest';

import { BadGateway, InternalServerError, ServiceUnavailable } from '../../src/errors/classes';
import { serverErrors, type ServerErrorsHandler } from '../../src/node/middleware';
import { PLAIN_LIMITS } from '../../src/util/plain-value';
import { isRetryAfterValue } from '../../src/http/retry-after';

// Moderate in CI; FUZZ_RUNS=20000 npx jest test/fuzz for a long local run.
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
// A long run outlasts jest's 5 s per test: give each property 20 ms a run, 30 s at least.
jest.setTimeout(Math.max(30_000, RUNS * 20));
// An answer that has not arrived by then never will: the connection hangs.
const ANSWER_WITHIN = 10_000;
// The most any format makes of one character of the body's budget (see the README's limits).
const MAX_BODY = 7 * PLAIN_LIMITS.chars + 100_000;
// Node and undici clients refuse a header section larger than this.
const MAX_HEADER_SECTION = 16 * 1024;
/** Headers an upstream response carries that must never reach our client from an error not ours. */
const UPSTREAM_HEADERS = {
  'Set-Cookie': 'upstream-session=1',
  Location: 'http://payments.internal/',
  'Access-Control-Allow-Origin': '*',
  'X-Internal-Host': 'payments-7.internal',
};
const ACCEPTS = [undefined, '*/*', 'application/json', 'application/problem+xml', 'text/html', 'text/plain'];

/**
 * A GET with Node's own client: fetch has rules of its own for some statuses
 * (a 407 is a network error, a 421 is retried), and Node's parser refuses a
 * header section over 16 KiB as Node and undici clients do.
 */
function get(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { headers, timeout: ANSWER_WITHIN }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${ANSWER_WITHIN} ms`)));
    req.on('error', reject);
  });
}

/** Values whose every read throws: the worst a route can throw. */
function hostileProxy(): object {
  const trap = () => {
    throw new Error('trap');
  };
  return new Proxy(
    {},
    {
      get: trap,
      has: trap,
      ownKeys: trap,
      getPrototypeOf: trap,
      getOwnPropertyDescriptor: trap,
      apply: trap,
    },
  );
}

function withThrowingGetters(keys: readonly string[]): Error {
  const error = new Error('getters');
  for (const key of keys) {
    try {
      Object.defineProperty(error, key, {
        get() {
          throw new Error(`getter ${key}`);
        },
      });
    } catch {
      // V8 may read `name` while redefining `stack`: that getter throwing is the point.
    }
  }
  return error;
}

function causeChain(depth: number, cyclic: boolean): Error {
  const root = Object.assign(new Error('root'), { code: 'ECONNREFUSED' });
  let top: Error = root;
  for (let i = 0; i < depth; i++) top = new Error(`wrap ${i}`, { cause: top });
  if (cyclic) (root as { cause?: unknown }).cause = top;
  return top;
}

const statusLike = fc.oneof(
  fc.integer({ min: -1000, max: 2000 }),
  fc.constantFrom(400, 404, 429, 500, 503, 599, 600, 99.5, NaN, Infinity),
  fc.string(),
  fc.anything(),
);

/** An error as libraries shape them, with a marker message that must never reach a 5xx body. */
const shapedError = fc
  .record(
    {
      message: fc.string(),
      status: statusLike,
      statusCode: statusLike,
      expose: fc.anything(),
      code: fc.oneof(
        fc.constantFrom('ECONNREFUSED', 'ENOSPC', 'ETIMEDOUT', 'HPE_X', '__proto__', 'constructor'),
        fc.string(),
      ),
      headers: fc.oneof(
        fc.dictionary(fc.string(), fc.anything()),
        fc.dictionary(fc.string(), fc.anything()).map((extra) => ({ ...extra, ...UPSTREAM_HEADERS })),
        fc.anything(),
      ),
      name: fc.oneof(fc.constantFrom('TimeoutError', 'HTTPParserError'), fc.string()),
      isBoom: fc.boolean(),
      output: fc.anything(),
    },
    { requiredKeys: ['message'] },
  )
  .map(({ message, ...rest }) => {
    const marker = `LEAK${Math.random().toString(36).slice(2)}`;
    const error = new Error(`${marker} ${message}`);
    for (const [key, value] of Object.entries(rest)) {
      try {
        Object.defineProperty(error, key, { value, enumerable: true, configurable: true, writable: true });
      } catch {
        // Some generated keys cannot be defined; the others still make the case.
      }
    }
    return { thrown: error as unknown, marker: marker as string | undefined };
  });

// Extensions past the body's bounds: rare, as each takes a tenth of a second.
const oversized = fc
  .constantFrom(
    () => ({ sparse: new Array(2_000_000) }),
    () => ({ controls: '\u0001'.repeat(1_100_000) }),
    () => ({ quotes: { q: '"'.repeat(1_100_000) } }),
  )
  .map((extensions) => () => new BadGateway({ extensions: extensions() }));

// Built inside the property, not by fast-check: a Proxy that throws on every
// trap would break fast-check's own inspection of generated values.
const hostile = fc.oneof(
  fc.constant(() => hostileProxy()),
  fc
    .subarray([
      'status',
      'statusCode',
      'headers',
      'message',
      'code',
      'expose',
      'name',
      'cause',
      'stack',
      'isBoom',
    ])
    .map((keys) => () => withThrowingGetters(keys)),
  fc
    .dictionary(fc.string(), fc.anything())
    .map((members) => () => Object.assign(Object.create(null) as object, members)),
  fc.tuple(fc.integer({ min: 0, max: 2000 }), fc.boolean()).map(
    ([depth, cyclic]) =>
      () =>
        causeChain(depth, cyclic),
  ),
  fc.constant(() => new Error('x'.repeat(1_000_000))),
  fc.constant(() => Symbol('thrown')),
  fc.constant(() => new ServiceUnavailable(5, { extensions: { big: 10n as unknown } })),
  fc.tuple(fc.constantFrom(500, 503, 599), fc.constantFrom(undefined, 42, 1000, '503', 503.5, NaN)).map(
    ([first, later]) =>
      () =>
        shiftingStatus(first, later),
  ),
  fc
    .constantFrom(
      { 'X-Huge': 'x'.repeat(20_000) },
      { Trailer: 'X-Sum', Connection: 'upgrade' },
      Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`X-H${i}`, 'v'.repeat(1000)])),
    )
    .map((headers) => () => Object.defineProperty(new BadGateway(), 'headers', { value: headers })),
  fc.constant(() =>
    Object.assign(new Error('Response Error'), {
      name: 'ResponseError',
      code: 'UND_ERR_RESPONSE',
      statusCode: 503,
      headers: UPSTREAM_HEADERS,
    }),
  ),
);

/** One of our errors whose status reads `first`, then `later` on every further read. */
function shiftingStatus(first: unknown, later: unknown): InternalServerError {
  const error = new InternalServerError();
  let reads = 0;
  Object.defineProperty(error, 'status', { get: () => (reads++ === 0 ? first : later) });
  return error;
}

interface Case {
  readonly make: () => unknown;
  readonly marker: string | undefined;
}

const thrownValue: fc.Arbitrary<Case> = fc.oneof(
  { arbitrary: fc.anything().map((thrown) => ({ make: () => thrown, marker: undefined })), weight: 20 },
  { arbitrary: shapedError.map(({ thrown, marker }) => ({ make: () => thrown, marker })), weight: 20 },
  { arbitrary: hostile.map((make) => ({ make: make as () => unknown, marker: undefined })), weight: 20 },
  { arbitrary: oversized.map((make) => ({ make: make as () => unknown, marker: undefined })), weight: 1 },
);

describe('fuzzing the middleware', () => {
  let server: Server;
  let base: string;
  const cases = new Map<string, unknown>();
  const responses = new Map<string, number>();
  let next = 0;

  // A bare node:http server hands every value to the handler, even the falsy
  // ones and 'route' that Express's router takes for "no error".
  beforeAll(async () => {
    const handle = serverErrors({ log: false });
    server = createServer((req, res) => {
      const { writeHead } = res;
      // Counts the responses each case really writes: exactly one is the rule.
      res.writeHead = function countedWriteHead(this: typeof res, ...args: Parameters<typeof writeHead>) {
        const written = writeHead.apply(this, args);
        responses.set(req.url ?? '', (responses.get(req.url ?? '') ?? 0) + 1);
        return written;
      } as typeof writeHead;
      handle(cases.get(req.url ?? ''), req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('always sends exactly one valid problem with an error status, and never a 5xx message', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      await fc.assert(
        fc.asyncProperty(thrownValue, fc.constantFrom(...ACCEPTS), async ({ make, marker }, accept) => {
          const path = `/case/${next++}`;
          const requestId = `fuzz-${next}`;
          cases.set(path, make());
          const headers: Record<string, string> = { 'x-request-id': requestId };
          if (accept !== undefined) headers.accept = accept;
          const res = await get(`${base}${path}`, headers);
          const { text } = res;
          cases.delete(path);
          expect(responses.get(path)).toBe(1);
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThanOrEqual(599);
          expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_BODY);
          let section = 0;
          for (const [name, value] of Object.entries(res.headers))
            section += name.length + String(value).length + 4;
          expect(section).toBeLessThanOrEqual(MAX_HEADER_SECTION);
          for (const name of Object.keys(UPSTREAM_HEADERS))
            expect(res.headers[name.toLowerCase()]).toBeUndefined();
          expect(text).toContain(requestId);
          if (accept === undefined || accept === '*/*' || accept === 'application/json') {
            const problem = JSON.parse(text) as Record<string, unknown>;
            expect(problem.status).toBe(res.status);
            expect(typeof problem.type).toBe('string');
            expect(typeof problem.title).toBe('string');
            expect(problem.traceId).toBe(requestId);
          }
          if (res.status >= 500) {
            if (marker !== undefined) expect(text).not.toContain(marker);
            expect(text).not.toMatch(/\n\s+at .*:\d+:\d+/);
            expect(text).not.toContain(__filename);
          }
        }),
        { numRuns: RUNS },
      );
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});

describe('fuzzing Retry-After', () => {
  const input = fc.oneof(
    fc.double(),
    fc.integer(),
    fc.date(),
    fc.date({ noInvalidDate: false }),
    fc.constantFrom(-0, Number.MAX_SAFE_INTEGER, Number.MAX_VALUE, Number.EPSILON),
    fc.anything(),
  );

  it('either refuses the value with a TypeError or RangeError, or sends RFC 9110 grammar', () => {
    fc.assert(
      fc.property(input, (value) => {
        let error: ServiceUnavailable;
        try {
          error = new ServiceUnavailable({ retryAfter: value as number });
        } catch (thrown) {
          expect(thrown instanceof TypeError || thrown instanceof RangeError).toBe(true);
          expect((thrown as { code?: string }).code).toMatch(/^ERR_SERVER_ERRORS_/);
          return;
        }
        const header = error.headers['Retry-After'];
        if (value === undefined) {
          expect(header).toBeUndefined();
          return;
        }
        expect(typeof header).toBe('string');
        expect(isRetryAfterValue(header as string)).toBe(true);
        if (typeof value === 'number') expect(header).toBe(String(Math.ceil(value)));
        else expect(Date.parse(header as string)).toBe(Math.floor((value as Date).getTime() / 1000) * 1000);
      }),
      { numRuns: RUNS * 10 },
    );
  });
});

describe('fuzzing extensions', () => {
  const prototypeKeys = () => Object.getOwnPropertyNames(Object.prototype).sort();

  it('either refuses the extensions at construction, or sends a body that parses, and never pollutes', () => {
    const before = prototypeKeys();
    const key = fc.oneof(
      fc.string(),
      fc.constantFrom('__proto__', 'constructor', 'prototype', 'toJSON', 'status', 'type'),
    );
    const extensions = fc.oneof(
      fc.dictionary(key, fc.jsonValue()).map((members) => ({ members, json: true })),
      fc.dictionary(key, fc.anything()).map((members) => ({ members, json: false })),
      fc.json().map((text) => ({
        members: JSON.parse(`{"__proto__":{"polluted":true},"x":${text}}`) as Record<string, unknown>,
        json: false,
      })),
    );
    const app = express();
    let current: BadGateway | undefined;
    app.get('/', () => {
      throw current;
    });
    app.use(serverErrors({ log: false }));
    return fc.assert(
      fc.asyncProperty(extensions, async ({ members, json }) => {
        try {
          current = new BadGateway({ extensions: members });
        } catch (thrown) {
          expect(thrown).toBeInstanceOf(TypeError);
          return;
        }
        const res = await request(app).get('/');
        expect(res.status).toBe(502);
        const problem = JSON.parse(res.text) as Record<string, unknown>;
        expect(problem.status).toBe(502);
        expect(Object.getPrototypeOf(problem)).toBe(Object.prototype);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(prototypeKeys()).toEqual(before);
        // What JSON can hold is sent as JSON would send it, every member of it.
        if (json) {
          for (const [name, value] of Object.entries(members)) {
            expect(problem[name]).toEqual(JSON.parse(JSON.stringify(value)) as unknown);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('fuzzing what the middleware reads', () => {
  let server: Server;
  let base: string;
  const cases = new Map<string, unknown>();
  let next = 0;

  beforeAll(async () => {
    const handlers = [serverErrors({ log: false }), serverErrors({ log: false, debug: true })];
    server = createServer((req, res) => {
      const handle = handlers[req.url?.endsWith('?debug') ? 1 : 0] as ServerErrorsHandler;
      const make = cases.get((req.url ?? '').replace('?debug', '')) as (() => unknown) | undefined;
      handle(make?.(), req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const member = fc
    .string()
    .filter((name) => !['type', 'title', 'status', 'detail', 'instance'].includes(name));
  const ours = fc
    .tuple(
      fc.constantFrom(BadGateway, InternalServerError, ServiceUnavailable),
      fc.record(
        {
          detail: fc.string(),
          type: fc.webUrl(),
          instance: fc.string(),
          extensions: fc.dictionary(
            member.filter((name) => !['__proto__', 'constructor', 'prototype', 'toJSON'].includes(name)),
            fc.jsonValue(),
          ),
          headers: fc.constant({ 'X-Ours': 'yes' }),
        },
        { requiredKeys: [] },
      ),
    )
    .map(([Class, options]) => new Class(options));
  const readable = fc.oneof(
    ours,
    shapedError.map(({ thrown }) => thrown),
    fc.record({ status: statusLike, headers: fc.dictionary(fc.string(), fc.anything()) }),
  );

  it('reads each member of the thrown value at most once, with or without the diagnostics', async () => {
    await fc.assert(
      fc.asyncProperty(readable, fc.boolean(), async (value, debug) => {
        // One count per request the server receives.
        const counts: Array<Map<PropertyKey, number>> = [];
        const path = `/read/${next++}`;
        cases.set(path, () => {
          const reads = new Map<PropertyKey, number>();
          counts.push(reads);
          return new Proxy(value as object, {
            get(object, key) {
              reads.set(key, (reads.get(key) ?? 0) + 1);
              return Reflect.get(object, key, object) as unknown;
            },
          });
        });
        const res = await get(`${base}${path}${debug ? '?debug' : ''}`, {});
        cases.delete(path);
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(counts).toHaveLength(1);
        const twice = [...(counts[0] ?? [])].filter(([, count]) => count > 1).map(([key]) => String(key));
        expect(twice).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });
});
