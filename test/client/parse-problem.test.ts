import { catalog } from '../../src/catalog/catalog';
import { ClientError } from '../../src/client/client-error';
import { PROBLEM_JSON, PROBLEM_XML } from '../../src/client/media-type';
import { isProblem, parseProblem } from '../../src/client/parse-problem';
import { MAX_PROBLEM_BYTES } from '../../src/client/read-body';
import * as main from '../../src/index';
import { FORMATS } from '../../src/render/formats';
import { renderXml } from '../../src/render/xml';

const JSON_TYPE = 'application/problem+json; charset=utf-8';

function problemResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'content-type': JSON_TYPE, ...headers },
  });
}

const PROBLEM_503 = {
  type: 'https://api.example.com/problems/service-unavailable',
  title: 'Service Unavailable',
  status: 503,
  detail: 'Down for maintenance.',
  instance: '/orders',
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  window: { from: '06:00', to: '07:00' },
};

/** A body that streams `chunks` chunks of `size` bytes, counting how many were pulled. */
function streamed(chunks: number, size: number): { body: ReadableStream<Uint8Array>; pulled: () => number } {
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled === chunks) return controller.close();
      pulled++;
      controller.enqueue(new TextEncoder().encode(' '.repeat(size)));
    },
  });
  return { body, pulled: () => pulled };
}

describe('isProblem', () => {
  it.each([
    ['problem+json', 503, JSON_TYPE],
    ['problem+xml', 502, 'application/problem+xml; charset=utf-8'],
    ['a type in capitals, without parameters', 404, 'Application/Problem+JSON'],
  ])('is true for an error answered with %s', (_what, status, type) => {
    expect(isProblem(new Response('{}', { status, headers: { 'content-type': type } }))).toBe(true);
  });

  it.each([
    ['plain JSON', 503, 'application/json'],
    ['an HTML page', 502, 'text/html'],
    ['no Content-Type', 500, undefined],
    ['a success', 200, JSON_TYPE],
    ['a redirect', 302, JSON_TYPE],
  ])('is false for %s', (_what, status, type) => {
    const headers: Record<string, string> = type === undefined ? {} : { 'content-type': type };
    const response = new Response(type === undefined ? null : '{}', { status, headers });
    if (type === undefined) response.headers.delete('content-type');
    expect(isProblem(response)).toBe(false);
  });

  it('knows the problem types the server sends', () => {
    expect(Object.keys(FORMATS)).toEqual(expect.arrayContaining([PROBLEM_JSON, PROBLEM_XML]));
  });

  it.each([[undefined], [null], ['https://x.example/'], [{ status: 503 }]])(
    'refuses %p with a TypeError',
    (value) => {
      expect(() => isProblem(value as unknown as Response)).toThrow(
        expect.objectContaining({
          name: 'TypeError',
          message: expect.stringMatching(/^isProblem\(\): .*fetch Response/),
        }),
      );
    },
  );
});

describe('parseProblem', () => {
  it('restores our class for a catalog status, with the members of its problem and Retry-After', async () => {
    const err = await parseProblem(problemResponse(503, PROBLEM_503, { 'retry-after': '120' }));
    expect(err).toBeInstanceOf(main.ServiceUnavailable);
    expect(err).toMatchObject({
      status: 503,
      statusCode: 503,
      detail: 'Down for maintenance.',
      type: PROBLEM_503.type,
      instance: '/orders',
      extensions: { traceId: PROBLEM_503.traceId, window: { from: '06:00', to: '07:00' } },
      retryAfter: 120,
      headers: { 'Retry-After': '120' },
      message: 'Down for maintenance.',
    });
  });

  it('reads an HTTP-date Retry-After as a Date', async () => {
    const err = await parseProblem(
      problemResponse(503, PROBLEM_503, { 'retry-after': 'Tue, 01 Jan 2030 00:00:00 GMT' }),
    );
    expect(err?.retryAfter).toEqual(new Date(Date.UTC(2030, 0, 1)));
  });

  it.each([
    ['soon'],
    ['-1'],
    ['1.5'],
    ['1e3'],
    ['Tue, 01 Jan 0099 00:00:00 GMT'],
    ['Mon, 32 Jan 2030 00:00:00 GMT'],
    ['Thu, 31 Feb 2030 00:00:00 GMT'],
  ])('leaves out a Retry-After of %p, which is neither seconds nor an HTTP-date', async (value) => {
    const err = await parseProblem(problemResponse(503, PROBLEM_503, { 'retry-after': value }));
    expect(err).toBeInstanceOf(main.ServiceUnavailable);
    expect(err?.retryAfter).toBeUndefined();
    expect(err?.detail).toBe('Down for maintenance.');
  });

  it('restores every catalog status as its class, with its title as the message', async () => {
    for (const entry of Object.values(catalog)) {
      const err = await parseProblem(
        problemResponse(entry.status, { title: entry.title, status: entry.status }),
      );
      expect(err?.constructor.name).toBe(entry.className);
      expect(err?.message).toBe(entry.title);
      expect(main.isServerError(err)).toBe(true);
    }
  });

  it('reads problem+xml', async () => {
    const body = renderXml({ problem: PROBLEM_503, retryAfter: undefined, debug: undefined });
    const response = new Response(body, {
      status: 503,
      headers: { 'content-type': 'application/problem+xml' },
    });
    expect(await parseProblem(response)).toMatchObject({
      detail: 'Down for maintenance.',
      instance: '/orders',
      extensions: { traceId: PROBLEM_503.traceId, window: { from: '06:00', to: '07:00' } },
    });
  });

  it('restores a 511 with its loginUrl, as the class holds it', async () => {
    const err = await parseProblem(
      problemResponse(511, { title: 'Network Authentication Required', status: 511, loginUrl: '/login' }),
    );
    expect(err).toBeInstanceOf(main.NetworkAuthenticationRequired);
    expect((err as main.NetworkAuthenticationRequired).loginUrl).toBe('/login');
    expect(err?.extensions).toEqual({ loginUrl: '/login' });
  });

  it('ignores a loginUrl the class would refuse to link to', async () => {
    const err = await parseProblem(problemResponse(511, { status: 511, loginUrl: 'javascript:alert(1)' }));
    expect((err as main.NetworkAuthenticationRequired).loginUrl).toBeUndefined();
    expect(err?.extensions).toBeUndefined();
  });

  it('ignores members of the wrong type and keeps the rest (RFC 9457 §3.1)', async () => {
    const err = await parseProblem(
      problemResponse(502, {
        type: 42,
        title: [],
        status: '502',
        detail: { text: 'x' },
        instance: '/a',
        traceId: 7,
      }),
    );
    expect(err).toBeInstanceOf(main.BadGateway);
    expect(err).toMatchObject({ type: undefined, detail: undefined, instance: '/a', extensions: undefined });
    expect(err?.message).toBe('Bad Gateway');
  });

  it('takes the status from the response: the body’s is only advisory (RFC 9457 §3.1.2)', async () => {
    const err = await parseProblem(problemResponse(504, { ...PROBLEM_503, status: 503 }));
    expect(err).toBeInstanceOf(main.GatewayTimeout);
    expect(err?.status).toBe(504);
  });

  it('drops members that cannot be extensions, and reaches no prototype', async () => {
    const body = '{"detail":"d","__proto__":{"polluted":1},"constructor":1,"toJSON":1,"kept":true}';
    const err = await parseProblem(problemResponse(500, body));
    expect(err?.extensions).toEqual({ kept: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads a 4xx as a ClientError with the same members, which no handler sends on', async () => {
    const err = await parseProblem(
      problemResponse(
        429,
        {
          type: 'about:blank',
          title: 'Too Many Requests',
          status: 429,
          detail: 'Slow down.',
          quota: 'daily',
        },
        { 'retry-after': '30' },
      ),
    );
    expect(err).toBeInstanceOf(ClientError);
    expect(err).toMatchObject({
      name: 'ClientError',
      status: 429,
      statusCode: 429,
      expose: false,
      detail: 'Slow down.',
      type: 'about:blank',
      extensions: { quota: 'daily' },
      retryAfter: 30,
      headers: { 'Retry-After': '30' },
    });
    expect(main.isServerError(err)).toBe(false);
  });

  it('reads a 5xx outside the catalog as a ServerError, its title as the message', async () => {
    const err = await parseProblem(
      problemResponse(509, {
        title: 'Bandwidth Limit Exceeded',
        status: 509,
        detail: undefined,
        plan: 'free',
      }),
    );
    expect(err?.constructor).toBe(main.ServerError);
    expect(err).toMatchObject({
      status: 509,
      message: 'Bandwidth Limit Exceeded',
      extensions: { plan: 'free' },
    });
  });

  it.each([
    ['a body that is not JSON', '{"detail":'],
    ['an empty body', ''],
    ['a JSON array', '[{"detail":"x"}]'],
    ['JSON null', 'null'],
    ['a JSON string', '"detail"'],
  ])('falls back to the status alone for %s', async (_what, body) => {
    const err = await parseProblem(problemResponse(503, body, { 'retry-after': '5' }));
    expect(err).toBeInstanceOf(main.ServiceUnavailable);
    expect(err).toMatchObject({
      detail: undefined,
      extensions: undefined,
      retryAfter: 5,
      message: 'Service Unavailable',
    });
  });

  it('falls back to the status alone for a response without a body', async () => {
    const err = await parseProblem(
      new Response(null, { status: 502, headers: { 'content-type': JSON_TYPE } }),
    );
    expect(err).toBeInstanceOf(main.BadGateway);
    expect(err?.detail).toBeUndefined();
  });

  it('falls back to the status alone for a body read already', async () => {
    const response = problemResponse(503, PROBLEM_503);
    await response.text();
    expect((await parseProblem(response))?.detail).toBeUndefined();
  });

  it('does not read a body larger than 1 MiB, by its Content-Length or as it streams', async () => {
    const declared = problemResponse(500, { detail: 'x'.repeat(MAX_PROBLEM_BYTES) });
    expect((await parseProblem(declared))?.detail).toBeUndefined();
    const { body, pulled } = streamed(1000, 64 * 1024);
    const response = new Response(body, { status: 500, headers: { 'content-type': JSON_TYPE } });
    expect(await parseProblem(response)).toBeInstanceOf(main.InternalServerError);
    expect(pulled()).toBeLessThan(20);
  });

  it('reads a body of just under 1 MiB', async () => {
    const detail = 'x'.repeat(MAX_PROBLEM_BYTES - 20);
    expect((await parseProblem(problemResponse(500, { detail })))?.detail).toBe(detail);
  });

  it('falls back to the status alone when the body fails half-way', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"detail":"x"'));
        controller.error(new Error('socket hang up'));
      },
    });
    const err = await parseProblem(
      new Response(body, { status: 502, headers: { 'content-type': JSON_TYPE } }),
    );
    expect(err).toBeInstanceOf(main.BadGateway);
  });

  it('falls back to the status alone for another content type, and leaves that body unread', async () => {
    const response = new Response(JSON.stringify(PROBLEM_503), {
      status: 503,
      headers: { 'content-type': 'text/html', 'retry-after': '10' },
    });
    const err = await parseProblem(response);
    expect(err).toBeInstanceOf(main.ServiceUnavailable);
    expect(err).toMatchObject({ detail: undefined, retryAfter: 10 });
    expect(response.bodyUsed).toBe(false);
  });

  it.each([[200], [204], [302], [304]])(
    'resolves to undefined for a %i, and leaves its body unread',
    async (status) => {
      const body = status === 204 || status === 304 ? null : JSON.stringify(PROBLEM_503);
      const response = new Response(body, { status, headers: { 'content-type': JSON_TYPE } });
      expect(await parseProblem(response)).toBeUndefined();
      expect(response.bodyUsed).toBe(false);
    },
  );

  it('refuses what is not a Response with a TypeError', async () => {
    await expect(parseProblem({} as Response)).rejects.toThrow(TypeError);
  });
});
