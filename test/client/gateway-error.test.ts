import express from 'express';

import { ClientError } from '../../src/client/client-error';
import { gatewayError } from '../../src/client/gateway-error';
import { parseProblem } from '../../src/client/parse-problem';
import { BadGateway, InternalServerError, ServiceUnavailable } from '../../src/errors/classes';
import { serverErrors } from '../../src/node/middleware';
import { closeServers, listenLocally, urlOf } from '../helpers/local-server';

const JSON_TYPE = 'application/problem+json';

function upstream(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'content-type': JSON_TYPE, ...headers },
  });
}

const SECRET_HEADERS = {
  'set-cookie': 'session=upstream',
  location: 'http://internal.example/',
  'www-authenticate': 'Basic realm="internal"',
};

beforeEach(() => jest.spyOn(Math, 'random').mockReturnValue(0));
afterEach(() => jest.restoreAllMocks());
afterAll(closeServers);

describe('gatewayError', () => {
  it('passes an upstream failure on as a BadGateway, the upstream problem as its cause', async () => {
    const err = await gatewayError(
      upstream(500, { title: 'Internal Server Error', status: 500, detail: 'db down' }, SECRET_HEADERS),
    );
    expect(err).toBeInstanceOf(BadGateway);
    expect(err.cause).toBeInstanceOf(InternalServerError);
    expect((err.cause as InternalServerError).detail).toBe('db down');
    expect(err.detail).toBeUndefined();
    expect(err.extensions).toBeUndefined();
    expect(Object.keys(err.headers)).toEqual([]);
  });

  it('passes an upstream 503 with a Retry-After on as a ServiceUnavailable, its wait capped', async () => {
    const err = await gatewayError(
      upstream(503, { status: 503 }, { 'retry-after': '3600', ...SECRET_HEADERS }),
    );
    expect(err).toBeInstanceOf(ServiceUnavailable);
    expect(err.cause).toBeInstanceOf(ServiceUnavailable);
    expect(err.retryAfter).toBe(60);
    expect({ ...err.headers }).toEqual({ 'Retry-After': '60' });
  });

  it('jitters the Retry-After it passes on, and rounds it up to whole seconds', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
    expect((await gatewayError(upstream(503, {}, { 'retry-after': '10' }))).retryAfter).toBe(11);
    expect((await gatewayError(upstream(503, {}, { 'retry-after': '1' }), { jitter: 0.01 })).retryAfter).toBe(
      2,
    );
    expect(
      (await gatewayError(upstream(503, {}, { 'retry-after': '600' }), { max: 30_000 })).retryAfter,
    ).toBe(33);
  });

  it('passes an upstream 503 without a Retry-After on as a BadGateway', async () => {
    const err = await gatewayError(upstream(503, { status: 503 }));
    expect(err).toBeInstanceOf(BadGateway);
    expect(err.cause).toBeInstanceOf(ServiceUnavailable);
  });

  it('does not pass on the Retry-After of another status', async () => {
    const err = await gatewayError(upstream(429, { status: 429 }, { 'retry-after': '5' }));
    expect(err).toBeInstanceOf(BadGateway);
    expect(err.cause).toBeInstanceOf(ClientError);
    expect(err.retryAfter).toBeUndefined();
  });

  it('reads an upstream that is not a problem from its status, and frees its body', async () => {
    const response = new Response('<h1>502 Bad Gateway</h1>', {
      status: 502,
      headers: { 'content-type': 'text/html' },
    });
    expect(response.bodyUsed).toBe(false);
    const err = await gatewayError(response);
    expect(err).toBeInstanceOf(BadGateway);
    expect(err.cause).toBeInstanceOf(BadGateway);
    // Cancelled: a body nobody reads would hold the upstream connection.
    expect(response.bodyUsed).toBe(true);
  });

  it('takes your detail, and says in its message who answered what, without the query', async () => {
    const response = upstream(500, { detail: 'db down' });
    Object.defineProperty(response, 'url', { value: 'http://orders.internal/orders?token=secret' });
    const err = await gatewayError(response, { detail: 'The order service failed.' });
    expect(err.detail).toBe('The order service failed.');
    expect(err.message).toBe('The upstream http://orders.internal/orders answered 500 (db down).');
  });

  it.each([
    [{ detail: 42 }, TypeError, 'gatewayError(): option "detail" must be a string; received 42.'],
    [{ max: -1 }, RangeError, 'gatewayError(): option "max" must be a number of milliseconds'],
    [{ retryAfter: 10 }, TypeError, 'gatewayError(): unknown option "retryAfter".'],
  ])('refuses the options %p', async (options, Kind, message) => {
    const call = gatewayError(upstream(502, {}), options as never);
    await expect(call).rejects.toThrow(Kind);
    await expect(gatewayError(upstream(502, {}), options as never)).rejects.toThrow(message);
  });

  it('refuses what is not a Response', async () => {
    await expect(gatewayError(new Error('x') as unknown as Response)).rejects.toThrow(TypeError);
  });
});

describe('gatewayError behind serverErrors()', () => {
  it('answers your client with your 503, none of the upstream’s headers or body', async () => {
    const origin = express();
    origin.get('/orders', (_req, res) => {
      res.status(503).set({ 'retry-after': '86400', ...SECRET_HEADERS, 'content-type': JSON_TYPE });
      res.send(JSON.stringify({ status: 503, detail: 'upstream secret', instance: '/internal/orders' }));
    });
    const originUrl = urlOf(await listenLocally(origin));
    const gateway = express();
    gateway.get('/orders', async () => {
      throw await gatewayError(await fetch(`${originUrl}/orders`), { detail: 'Orders are paused.' });
    });
    gateway.use(serverErrors({ log: false }));
    const response = await fetch(`${urlOf(await listenLocally(gateway))}/orders`);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('60');
    for (const name of Object.keys(SECRET_HEADERS)) expect(response.headers.get(name)).toBeNull();
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 503, detail: 'Orders are paused.', instance: '/orders' });
    expect(JSON.stringify(body)).not.toContain('upstream secret');
  });
});

describe('parseProblem’s errors thrown on from a handler', () => {
  // A careful gateway calls gatewayError(); one that throws what parseProblem
  // gave must not relay the upstream's status, Retry-After or words either.
  it.each([
    [503, 502, { 'retry-after': '86400' }],
    [500, 502, {}],
    [404, 500, {}],
    [429, 500, { 'retry-after': '5' }],
  ])('an upstream %i is answered %i, nothing of it sent', async (upstreamStatus, expected, headers) => {
    const app = express();
    app.get('/orders', async () => {
      const answer = upstream(
        upstreamStatus,
        {
          status: upstreamStatus,
          detail: 'upstream secret',
          instance: '/internal/orders',
          traceId: 'upstream-trace',
        },
        { ...headers, ...SECRET_HEADERS },
      );
      throw await parseProblem(answer);
    });
    app.use(serverErrors({ log: false }));
    const response = await fetch(`${urlOf(await listenLocally(app))}/orders`);
    expect(response.status).toBe(expected);
    expect(response.headers.get('retry-after')).toBeNull();
    for (const name of Object.keys(SECRET_HEADERS)) expect(response.headers.get(name)).toBeNull();
    const text = await response.text();
    expect(text).not.toContain('upstream secret');
    expect(text).not.toContain('/internal/orders');
    expect(text).not.toContain('upstream-trace');
  });

  it('keeps the mark out of what a log shows', async () => {
    const err = await parseProblem(upstream(503, { detail: 'db down' }));
    expect(Object.keys(err ?? {})).not.toContain(String(Symbol.for('server-errors.upstream-answer')));
    expect(JSON.stringify(err)).not.toContain('upstream-answer');
    expect(err).toBeInstanceOf(ServiceUnavailable);
  });
});
