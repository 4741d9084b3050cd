import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import express from 'express';
import fc from 'fast-check';
import request from 'supertest';

import { BadGateway, ServiceUnavailable } from '../src/errors';
import { serverErrors } from '../src/middleware';
import { isRetryAfterValue } from '../src/retry-after';

// Moderate in CI; FUZZ_RUNS=20000 npm test -- fuzz for a long local run.
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const ACCEPTS = [undefined, '*/*', 'application/json', 'application/problem+xml', 'text/html', 'text/plain'];

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
      headers: fc.oneof(fc.dictionary(fc.string(), fc.anything()), fc.anything()),
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
);

interface Case {
  readonly make: () => unknown;
  readonly marker: string | undefined;
}

const thrownValue: fc.Arbitrary<Case> = fc.oneof(
  fc.anything().map((thrown) => ({ make: () => thrown, marker: undefined })),
  shapedError.map(({ thrown, marker }) => ({ make: () => thrown, marker })),
  hostile.map((make) => ({ make: make as () => unknown, marker: undefined })),
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
        responses.set(req.url ?? '', (responses.get(req.url ?? '') ?? 0) + 1);
        return writeHead.apply(this, args);
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
          cases.set(path, make());
          const res = await fetch(`${base}${path}`, { headers: accept === undefined ? {} : { accept } });
          const text = await res.text();
          cases.delete(path);
          expect(responses.get(path)).toBe(1);
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThanOrEqual(599);
          if (accept === undefined || accept === '*/*' || accept === 'application/json') {
            const problem = JSON.parse(text) as Record<string, unknown>;
            expect(problem.status).toBe(res.status);
            expect(typeof problem.type).toBe('string');
            expect(typeof problem.title).toBe('string');
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
      fc.dictionary(key, fc.jsonValue()),
      fc.dictionary(key, fc.anything()),
      fc
        .json()
        .map((text) => JSON.parse(`{"__proto__":{"polluted":true},"x":${text}}`) as Record<string, unknown>),
    );
    const app = express();
    let current: BadGateway | undefined;
    app.get('/', () => {
      throw current;
    });
    app.use(serverErrors({ log: false }));
    return fc.assert(
      fc.asyncProperty(extensions, async (members) => {
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
      }),
      { numRuns: RUNS },
    );
  });
});
