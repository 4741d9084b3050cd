import { once } from 'node:events';
import { get } from 'node:http';
import { createConnection, createServer } from 'node:net';

import Boom from '@hapi/boom';
import createError from 'http-errors';

import { classify, isErrorStatus } from '../../src/classify/classify';
import {
  BadGateway,
  GatewayTimeout,
  InternalServerError,
  ServiceUnavailable,
} from '../../src/errors/classes';
import { errorCodes } from '../../src/classify/system-codes';
import { compileRules } from '../../src/classify/map-rules';
import { ServerError } from '../../src/errors/server-error';

const withCode = (code: string, extra: object = {}) =>
  Object.assign(new Error(`failed: ${code}`), { code }, extra);

describe('classify', () => {
  it('reads our own errors once, into a frozen snapshot of their public parts', () => {
    const error = new ServiceUnavailable(120, { detail: 'Back soon', extensions: { queue: [1, 2] } });
    const classified = classify(error);
    expect(classified).not.toBe(error);
    expect(Object.isFrozen(classified)).toBe(true);
    expect(Object.isFrozen(classified.extensions?.queue)).toBe(true);
    expect(classified).toEqual({
      status: 503,
      headers: { 'Retry-After': '120' },
      detail: 'Back soon',
      type: undefined,
      instance: undefined,
      extensions: { queue: [1, 2] },
    });
  });

  it('reads each member of the thrown value once, however often its getters would answer', () => {
    const reads = new Map<PropertyKey, number>();
    const error = new InternalServerError({ detail: 'Public', extensions: { a: 1 } });
    const counted = new Proxy(error, {
      get(target, key, receiver) {
        reads.set(key, (reads.get(key) ?? 0) + 1);
        // A status that answers something else on every read after the first.
        if (key === 'status' && (reads.get(key) ?? 0) > 1) return 42;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    expect(classify(counted)).toMatchObject({ status: 500, detail: 'Public', extensions: { a: 1 } });
    expect([...reads.values()].every((count) => count === 1)).toBe(true);
  });

  it('reads an error of another copy of the package field by field', () => {
    const foreign = Object.assign(new Error('x'), {
      status: 503,
      headers: { 'Retry-After': '5' },
      detail: 'Back soon',
      type: 'https://example.com/p',
      instance: '/x',
      extensions: { a: 1 },
    });
    Object.defineProperty(foreign, Symbol.for('server-errors.ServerError'), { value: true });
    expect(classify(foreign)).toEqual({
      status: 503,
      headers: { 'Retry-After': '5' },
      detail: 'Back soon',
      type: 'https://example.com/p',
      instance: '/x',
      extensions: { a: 1 },
    });
  });

  it('drops the members of another copy that have the wrong type, and its invalid status', () => {
    const foreign = (members: object) =>
      Object.defineProperty(Object.assign(new Error('x'), members), Symbol.for('server-errors.ServerError'), {
        value: true,
      });
    const wrongTypes = { status: 503, detail: 42, type: null, instance: {} };
    for (const extensions of ['ab', null]) {
      expect(classify(foreign({ ...wrongTypes, extensions }))).toEqual({
        status: 503,
        headers: undefined,
        detail: undefined,
        type: undefined,
        instance: undefined,
        extensions: undefined,
      });
    }
    expect(classify(foreign({ status: 200, detail: 'Fine' }))).toEqual({ status: 500 });
  });

  it('takes the status, headers and exposure of an http-errors error', () => {
    expect(classify(createError(503, 'db down', { headers: { 'Retry-After': '30' } }))).toEqual({
      status: 503,
      headers: { 'Retry-After': '30' },
      detail: undefined,
    });
    expect(classify(createError(404, 'No such order'))).toMatchObject({
      status: 404,
      detail: 'No such order',
    });
  });

  it('never exposes the message of a 5xx, even when the error says expose', () => {
    expect(classify(createError(500, 'password=hunter2', { expose: true })).detail).toBeUndefined();
  });

  it('leaves the detail out when an exposed 4xx message is empty or not text', () => {
    expect(classify(createError(404, '')).detail).toBeUndefined();
    expect(classify(Object.assign(createError(404, 'x'), { message: 42 })).detail).toBeUndefined();
  });

  it('keeps a 4xx message private when its prototype cannot be read to confirm it is an http-errors error', () => {
    const proxy = new Proxy(createError(404, 'internal hint'), {
      getPrototypeOf() {
        throw new Error('trap');
      },
    });
    expect(classify(proxy)).toEqual({ status: 404, headers: undefined, detail: undefined });
  });

  it('reads the status of a thrown function like that of any object', () => {
    expect(classify(Object.assign(() => undefined, { status: 503 })).status).toBe(503);
  });

  it('keeps a 4xx message private when the error does not say expose', () => {
    expect(classify(createError(400, 'internal hint', { expose: false })).detail).toBeUndefined();
    expect(classify(Object.assign(new Error('internal hint'), { status: 400 })).detail).toBeUndefined();
  });

  it('uses statusCode when status is absent or not an error status', () => {
    expect(classify({ statusCode: 502 }).status).toBe(502);
    expect(classify({ status: 200, statusCode: 504 }).status).toBe(504);
  });

  it('lets an explicit status beat a code, as connect-timeout errors need', () => {
    const timeout = createError(503, 'Response timeout', { code: 'ETIMEDOUT', timeout: 5000 });
    expect(classify(timeout).status).toBe(503);
  });

  it('reads the status and headers of a Boom error, and its public 4xx message', () => {
    const unavailable = Boom.serverUnavailable('db down');
    unavailable.output.headers['Retry-After'] = '60';
    expect(classify(unavailable)).toEqual({
      status: 503,
      headers: { 'Retry-After': '60' },
      detail: undefined,
    });
    expect(classify(Boom.notFound('No such order'))).toMatchObject({ status: 404, detail: 'No such order' });
  });

  it('never sends the generic payload message of a Boom 5xx as detail', () => {
    expect(classify(Boom.internal('password=hunter2'))).toEqual({
      status: 500,
      headers: {},
      detail: undefined,
    });
  });

  it.each([
    ['ENOSPC', 507],
    ['EDQUOT', 507],
    ['ECONNREFUSED', 502],
    ['ECONNRESET', 502],
    ['EPIPE', 502],
    ['ENOTFOUND', 502],
    ['EAI_AGAIN', 502],
    ['EHOSTUNREACH', 502],
    ['ENETUNREACH', 502],
    ['ETIMEDOUT', 504],
  ])('turns the system code %s into %i', (code, status) => {
    expect(classify(withCode(code))).toEqual({ status });
  });

  it('turns a real refused connection into a 502', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    server.close();
    await once(server, 'close');
    const socket = createConnection(port, '127.0.0.1');
    const [error] = await once(socket, 'error').catch((e: unknown) => [e]);
    expect((error as { code: string }).code).toBe('ECONNREFUSED');
    expect(classify(error).status).toBe(502);
  });

  it("turns AbortSignal.timeout()'s TimeoutError into a 504", async () => {
    const signal = AbortSignal.timeout(1);
    await once(signal, 'abort');
    expect((signal.reason as Error).name).toBe('TimeoutError');
    expect(classify(signal.reason).status).toBe(504);
  });

  it('does not take a plain AbortError for a timeout', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(classify(controller.signal.reason).status).toBe(500);
  });

  it.each([
    ['a plain Error', new Error('x')],
    ['a string', 'boom'],
    ['a number', 503],
    ['null', null],
    ['undefined', undefined],
    ['a plain object', { message: 'x' }],
    ['a symbol', Symbol('x')],
    ['a status above 599', { status: 600 }],
    ['a status below 400', { status: 302 }],
    ['a fractional status', { status: 503.5 }],
    ['a status string', { status: '503' }],
    ['an unknown code', withCode('E_SOMETHING')],
    ['a code that names an Object.prototype key', withCode('constructor')],
    ['a Boom-like object without a valid status', { isBoom: true, output: { statusCode: 200 } }],
    ['an object with a Boom-like output but no isBoom', { output: { statusCode: 503 } }],
  ])('turns %s into a 500', (_name, thrown) => {
    expect(classify(thrown)).toEqual({ status: 500 });
  });

  it.each([
    ['UND_ERR_SOCKET', 502, 502],
    ['UND_ERR_CONNECT_TIMEOUT', 504, 599],
    ['UND_ERR_HEADERS_TIMEOUT', 504, 598],
    ['UND_ERR_BODY_TIMEOUT', 504, 598],
    ['ETIMEDOUT', 504, 504],
  ])('turns the fetch code %s into %i, or %i with the non-standard codes', (code, standard, nonStandard) => {
    const fetchFailed = new TypeError('fetch failed', { cause: withCode(code) });
    expect(classify(fetchFailed).status).toBe(standard);
    expect(classify(fetchFailed, [], errorCodes(true)).status).toBe(nonStandard);
  });

  it.each([
    ['an HPE_ parser code', withCode('HPE_INVALID_CONSTANT')],
    [
      'an undici HTTPParserError behind fetch failed',
      new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { name: 'HTTPParserError' }) }),
    ],
    ['oversized upstream headers', withCode('UND_ERR_HEADERS_OVERFLOW')],
  ])('turns %s into a 502', (_name, thrown) => {
    expect(classify(thrown).status).toBe(502);
  });

  it('turns a real invalid upstream response into a 502', async () => {
    const garbage = createServer((socket) => socket.end('NOT HTTP AT ALL\r\n\r\n'));
    garbage.listen(0, '127.0.0.1');
    await once(garbage, 'listening');
    const { port } = garbage.address() as { port: number };
    const error = await new Promise((resolve) => {
      get({ host: '127.0.0.1', port }, () => resolve(undefined)).on('error', resolve);
    });
    garbage.close();
    expect((error as { code?: string }).code).toMatch(/^HPE_/);
    expect(classify(error).status).toBe(502);
  });

  it('finds a code down a cause chain, but not endlessly', () => {
    const deep = new Error('outer', { cause: new Error('middle', { cause: withCode('ECONNREFUSED') }) });
    expect(classify(deep).status).toBe(502);
    let deepest: Error = withCode('ECONNREFUSED');
    for (let i = 0; i < 8; i++) deepest = new Error(`wrap ${i}`, { cause: deepest });
    expect(classify(deepest).status).toBe(502);
    let tooDeep: Error = withCode('ECONNREFUSED');
    for (let i = 0; i < 9; i++) tooDeep = new Error(`wrap ${i}`, { cause: tooDeep });
    expect(classify(tooDeep).status).toBe(500);
    const a: { cause?: unknown } = {};
    const b = { cause: a };
    a.cause = b;
    expect(classify(a).status).toBe(500);
  });

  it('turns a real refused fetch into a 502', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    server.close();
    await once(server, 'close');
    const error = await fetch(`http://127.0.0.1:${port}/`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).toBe('fetch failed');
    expect(classify(error).status).toBe(502);
  });

  it('falls back to the code when the explicit status is out of range', () => {
    expect(classify(withCode('ECONNRESET', { status: 200 })).status).toBe(502);
  });

  it('survives getters and Proxies that throw', () => {
    const getters = Object.defineProperty(new Error('x'), 'status', {
      get() {
        throw new Error('getter');
      },
    });
    const proxy = new Proxy(new Error('x'), {
      get() {
        throw new Error('trap');
      },
      getPrototypeOf() {
        throw new Error('trap');
      },
      has() {
        throw new Error('trap');
      },
    });
    expect(classify(getters).status).toBe(500);
    expect(classify(proxy).status).toBe(500);
  });

  it('keeps the best status known when only other members throw', () => {
    const error = Object.defineProperty(createError(503), 'headers', {
      get() {
        throw new Error('getter');
      },
    });
    expect(classify(error).status).toBe(503);
  });
});

describe('classify with map rules', () => {
  class DatabaseDown extends Error {}
  const isUpstreamTimeout = (err: unknown) => (err as { upstream?: string }).upstream === 'timeout';

  const rules = compileRules([
    [DatabaseDown, 503],
    ['ECONNABORTED', 502],
    [isUpstreamTimeout, (e) => new GatewayTimeout({ cause: e, detail: 'The upstream took too long.' })],
    ['E_CLASS_TARGET', BadGateway],
  ]);

  it('tries the rules before anything else', () => {
    expect(classify(new DatabaseDown(), rules)).toEqual({ status: 503 });
    expect(classify(withCode('ECONNABORTED', { status: 400 }), rules).status).toBe(502);
  });

  it('answers with what the target of a predicate rule builds from the thrown value', () => {
    const thrown = { upstream: 'timeout' };
    const target = jest.fn(
      (e: unknown) => new GatewayTimeout({ cause: e, detail: 'The upstream took too long.' }),
    );
    const classified = classify(thrown, compileRules([[isUpstreamTimeout, target]]));
    expect(target).toHaveBeenCalledWith(thrown);
    expect(classified).toMatchObject({ status: 504, detail: 'The upstream took too long.' });
  });

  it('builds a class target with the thrown value as its cause', () => {
    const thrown = withCode('E_CLASS_TARGET');
    const causes: unknown[] = [];
    class Recorded extends BadGateway {
      constructor(options?: { cause?: unknown }) {
        super({ ...options, detail: 'Recorded.' });
        causes.push(options?.cause);
      }
    }
    expect(classify(thrown, compileRules([['E_CLASS_TARGET', Recorded]]))).toMatchObject({
      status: 502,
      detail: 'Recorded.',
    });
    expect(classify(thrown, rules).status).toBe(502);
    expect(causes).toEqual([thrown]);
  });

  it('falls through to the built-in classification when no rule matches', () => {
    expect(classify(withCode('ECONNREFUSED'), rules).status).toBe(502);
  });

  it('takes the first matching rule', () => {
    const first = compileRules([
      ['E_X', 501],
      ['E_X', 502],
    ]);
    expect(classify(withCode('E_X'), first).status).toBe(501);
  });

  it('skips a predicate that throws, warning once', () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const broken = compileRules([
      [
        () => {
          throw new Error('bad predicate');
        },
        503,
      ],
    ]);
    expect(classify(withCode('ECONNRESET'), broken).status).toBe(502);
    expect(classify(withCode('ECONNRESET'), broken).status).toBe(502);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/map rule 0 failed: its matcher threw \(bad predicate\)/);
    warn.mockRestore();
  });

  it('answers 500 when a target factory returns something else than a ServerError', () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const broken = compileRules([[() => true, (() => new Error('not ours')) as never]]);
    expect(classify(new Error('x'), broken)).toEqual({ status: 500 });
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/did not return a ServerError/);
    warn.mockRestore();
  });

  it('answers 500 when a target factory throws', () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const broken = compileRules([
      [
        () => true,
        () => {
          throw new Error('factory');
        },
      ],
    ]);
    expect(classify(new Error('x'), broken)).toEqual({ status: 500 });
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });

  it('only counts a predicate that returns true, not a truthy promise', () => {
    const asyncRule = compileRules([[(async () => true) as never, 503]]);
    expect(classify(new Error('x'), asyncRule).status).toBe(500);
  });

  it('accepts a ServerError subclass of the user as class target', () => {
    class Overloaded extends ServiceUnavailable {
      constructor(options?: { cause?: unknown }) {
        super(30, options);
      }
    }
    const classified = classify(new DatabaseDown(), compileRules([[DatabaseDown, Overloaded]]));
    expect(classified).toMatchObject({ status: 503, headers: { 'Retry-After': '30' } });
    expect(new Overloaded()).toBeInstanceOf(ServerError);
  });
});

describe('isErrorStatus', () => {
  it.each([400, 451, 500, 599])('accepts %i', (status) => expect(isErrorStatus(status)).toBe(true));
  it.each([399, 600, 500.5, '500', NaN])('rejects %p', (status) => expect(isErrorStatus(status)).toBe(false));
});
