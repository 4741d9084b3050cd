import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';

import { ServiceUnavailable } from '../../src/errors/classes';
import { serverErrors } from '../../src/fetch';
import { caught } from '../helpers/caught';

describe('the fetch handler', () => {
  it('answers a request no Hono route serves with a 404 problem', async () => {
    const handle = serverErrors({ log: false });
    const app = new Hono();
    app.get('/orders', (c) => c.json([]));
    app.notFound((c) => handle.notFound(c.req.raw));
    const res = await app.request('/missing?token=x');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ status: 404, title: 'Not Found', instance: '/missing' });
  });

  it('shows the message of a Hono HTTPException, public by design, for a 4xx', async () => {
    const handle = serverErrors({ log: false });
    const app = new Hono();
    app.get('/', () => {
      throw new HTTPException(401, { message: 'Log in first.' });
    });
    app.onError((err, c) => handle(err, c.req.raw));
    const res = await app.request('/');
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ status: 401, detail: 'Log in first.' });
  });

  it('answers what a Next.js-style route handler rejects with', async () => {
    const GET = serverErrors({ log: false }).wrap(async (_request: Request, _context: { params: object }) => {
      await Promise.resolve();
      throw new ServiceUnavailable(30);
    });
    const res = await GET(new Request('http://localhost/api/report'), { params: {} });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('30');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('lets a response the wrapped handler returns through untouched', async () => {
    const ok = new Response('fine');
    expect(await serverErrors({ log: false }).wrap(() => ok)(new Request('http://localhost/'))).toBe(ok);
  });

  it('neither answers nor logs a request whose client has gone, and still returns a Response', () => {
    const logged: unknown[] = [];
    const controller = new AbortController();
    controller.abort();
    const request = new Request('http://localhost/', { signal: controller.signal });
    const res = serverErrors({ log: (record) => logged.push(record) })(
      new DOMException('The operation was aborted.', 'AbortError'),
      request,
    );
    expect(res).toBeInstanceOf(Response);
    expect(res.body).toBeNull();
    expect(logged).toEqual([]);
  });

  it('logs a 5xx once to console.error by default, with the request line and the error', () => {
    const env = process.env.NODE_ENV;
    const printed = jest.spyOn(console, 'error').mockImplementation(() => {});
    try {
      process.env.NODE_ENV = 'production';
      const error = new Error('kaput');
      serverErrors()(
        error,
        new Request('http://localhost/orders?x=1', { headers: { 'x-request-id': 'r-1' } }),
      );
      serverErrors()(
        new ServiceUnavailable(5),
        new Request('http://localhost/report', { headers: { 'x-request-id': 'r-2' } }),
      );
      expect(printed.mock.calls).toEqual([
        ['serverErrors: 500 GET /orders [r-1]', error],
        ['serverErrors: 503 GET /report [r-2] ServiceUnavailable: Service Unavailable'],
      ]);
    } finally {
      process.env.NODE_ENV = env;
      printed.mockRestore();
    }
  });

  it('checks its options at once, as the Node middleware does', () => {
    const error = caught(() => serverErrors({ logg: false } as never));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/^serverErrors\(\): unknown option "logg"\. Did you mean "log"\?/);
  });
});
