import type { Middleware } from 'koa';
import request from 'supertest';

import { ServiceUnavailable } from '../../src/errors/classes';
import { serverErrors } from '../../src/koa';
import { writeToContext } from '../../src/koa/write';
import type { ResponsePlan } from '../../src/render/response';
import { koaVersions } from './versions';

const body = '{"status":503}';

/** A plan as the core builds it, whose second error header Node refuses (a NUL in its value). */
const refused: ResponsePlan = {
  status: 503,
  statusText: 'Service Unavailable',
  headers: [
    ['Retry-After', '30'],
    ['X-Upstream', 'a\u0000b'],
    ['Cache-Control', 'no-store'],
    ['Vary', 'Accept'],
    ['Content-Type', 'application/problem+json; charset=utf-8'],
    ['X-Content-Type-Options', 'nosniff'],
    ['Content-Length', String(body.length)],
  ],
  errorHeaders: 2,
  body,
  omitBody: false,
};

describe.each(koaVersions)('writeToContext() on %s', (_version, Koa) => {
  function appWith(...middleware: Middleware[]) {
    const app = new Koa();
    for (const fn of middleware) app.use(fn);
    return app;
  }

  it("leaves out the error's own headers when Node refuses one of them, and sends the rest", async () => {
    const app = appWith((ctx) => writeToContext(ctx, refused));
    const res = await request(app.callback()).get('/');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBeUndefined();
    expect(res.headers['x-upstream']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.headers['content-length']).toBe(String(body.length));
    expect(res.text).toBe(body);
  });

  it('keeps Accept and the Vary of the route when the error’s own Vary holds no field names', async () => {
    const app = appWith(serverErrors({ log: false }), (ctx) => {
      ctx.vary('Origin');
      // Headers put on one of our errors past its constructor's checks.
      throw Object.defineProperty(new ServiceUnavailable(), 'headers', {
        value: { Vary: 'Accept-Language;q' },
      });
    });
    const res = await request(app.callback()).get('/');
    expect(res.status).toBe(503);
    expect(res.headers.vary).toBe('Origin, Accept');
  });

  it("merges the error's own Vary with the route's and with Accept", async () => {
    const app = appWith(serverErrors({ log: false }), (ctx) => {
      ctx.vary('Origin');
      throw new ServiceUnavailable({ headers: { Vary: 'Accept-Language' } });
    });
    expect((await request(app.callback()).get('/')).headers.vary).toBe('Origin, Accept-Language, Accept');
  });
});
