import type express5 from 'express';
import request from 'supertest';

import { catalog } from '../../src/catalog/catalog';
import { ServiceUnavailable } from '../../src/errors/classes';
import type { Guard } from '../../src/guards/guard';
import { maintenance } from '../../src/guards/maintenance';
import { serverErrors } from '../../src/node/middleware';
import { expressVersions } from '../helpers/apps';
import { caught } from '../helpers/caught';
import { closeServers, listenLocally } from '../helpers/local-server';
import { problemOf } from '../helpers/problem';

const later = new Date(Date.UTC(2099, 0, 2, 3, 4, 5, 500));
const earlier = new Date(Date.UTC(2020, 0, 1));

describe.each(expressVersions)('maintenance() on %s', (_version, express) => {
  afterEach(closeServers);

  /** An app with the guard first, a route that answers every path, and serverErrors() last. */
  async function serve(guard: Guard<express5.Request>, mount = '/') {
    const app = express();
    app.use(mount, guard);
    app.use((req, res) => {
      res.json({ reached: req.originalUrl });
    });
    app.use(serverErrors());
    return request(await listenLocally(app));
  }

  it('answers every request with a 503 problem, no-store and a public detail', async () => {
    const res = await (await serve(maintenance())).get('/orders?page=2');
    expect(res.status).toBe(503);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['retry-after']).toBeUndefined();
    expect(problemOf(res)).toMatchObject({
      type: catalog[503].definition?.url,
      title: 'Service Unavailable',
      status: 503,
      detail: 'The service is down for maintenance.',
      instance: '/orders',
    });
    expect(res.text).not.toContain('maintenance()');
  });

  it('sends the detail it is given', async () => {
    const res = await (await serve(maintenance({ detail: 'Back at 06:00 UTC.' }))).get('/');
    expect(problemOf(res).detail).toBe('Back at 06:00 UTC.');
  });

  it('sends Retry-After as delay-seconds when given retryAfter', async () => {
    const res = await (await serve(maintenance({ retryAfter: 120 }))).get('/');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('120');
  });

  it('sends Retry-After as an HTTP-date, rounded up to the second, when given a future until', async () => {
    const res = await (await serve(maintenance({ until: later, retryAfter: 120 }))).get('/');
    expect(res.headers['retry-after']).toBe('Fri, 02 Jan 2099 03:04:06 GMT');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('falls back to retryAfter once until has passed, and to no Retry-After without one', async () => {
    const withSeconds = await (await serve(maintenance({ until: earlier, retryAfter: 30 }))).get('/');
    expect(withSeconds.status).toBe(503);
    expect(withSeconds.headers['retry-after']).toBe('30');
    const without = await (await serve(maintenance({ until: earlier }))).get('/');
    expect(without.status).toBe(503);
    expect(without.headers['retry-after']).toBeUndefined();
  });

  it('reads until per request when given a function', async () => {
    let until: Date | undefined = later;
    const client = await serve(maintenance({ until: () => until, retryAfter: 60 }));
    expect((await client.get('/')).headers['retry-after']).toBe('Fri, 02 Jan 2099 03:04:06 GMT');
    until = undefined;
    expect((await client.get('/')).headers['retry-after']).toBe('60');
    until = earlier;
    expect((await client.get('/')).headers['retry-after']).toBe('60');
    until = new Date(Number.NaN);
    expect((await client.get('/')).headers['retry-after']).toBe('60');
    // Later than an HTTP-date can say: still the 503, with the fallback.
    until = new Date(Date.UTC(10000, 0, 1));
    const tooLate = await client.get('/');
    expect([tooLate.status, tooLate.headers['retry-after']]).toEqual([503, '60']);
  });

  it('reads enabled per request, so a flag can flip at run time', async () => {
    let on = false;
    const client = await serve(maintenance({ enabled: () => on }));
    expect((await client.get('/orders')).status).toBe(200);
    on = true;
    expect((await client.get('/orders')).status).toBe(503);
    on = false;
    expect((await client.get('/orders')).status).toBe(200);
  });

  it('stays off unless enabled returns exactly true', async () => {
    const client = await serve(maintenance({ enabled: () => 'yes' as unknown as boolean }));
    expect((await client.get('/orders')).status).toBe(200);
  });

  it('lets every request through when enabled is false', async () => {
    const res = await (await serve(maintenance({ enabled: false }))).get('/orders');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ reached: '/orders' });
  });

  it('hands the request to enabled and allow predicates with its Express type', async () => {
    const client = await serve(
      maintenance({
        enabled: (req: express5.Request) => req.get('x-maintenance') === 'on',
        allow: (req: express5.Request) => req.get('x-staff') === 'yes',
      }),
    );
    expect((await client.get('/').set('x-maintenance', 'on')).status).toBe(503);
    expect((await client.get('/').set('x-maintenance', 'on').set('x-staff', 'yes')).status).toBe(200);
    expect((await client.get('/')).status).toBe(200);
  });

  describe('allow', () => {
    it.each([
      ['/health', 200],
      ['/health?verbose=1', 200],
      ['/healthz', 503],
      ['/health/deep', 503],
      ['/admin', 200],
      ['/admin/', 200],
      ['/admin/maintenance/off', 200],
      ['/administrator', 503],
      ['/status', 200],
      ['/status/db', 200],
      ['/statuses', 503],
      ['/orders', 503],
    ])('answers %s with %i', async (path, status) => {
      const client = await serve(maintenance({ allow: ['/health', '/admin/', /^\/status\b/] }));
      expect((await client.get(path)).status).toBe(status);
    });

    it('accepts one rule without an array', async () => {
      const client = await serve(maintenance({ allow: '/health' }));
      expect((await client.get('/health')).status).toBe(200);
      expect((await client.get('/orders')).status).toBe(503);
    });

    it('treats "/" as the root only, not as a folder holding everything', async () => {
      const client = await serve(maintenance({ allow: '/' }));
      expect((await client.get('/')).status).toBe(200);
      expect((await client.get('/orders')).status).toBe(503);
    });

    it('gives a global RegExp the same answer every time', async () => {
      const client = await serve(maintenance({ allow: /^\/status/g }));
      for (let i = 0; i < 3; i++) expect((await client.get('/status')).status).toBe(200);
    });

    it('lets a request through only when a predicate returns exactly true', async () => {
      const client = await serve(
        maintenance({ allow: [() => 1 as unknown as boolean, (req) => req.headers['x-staff'] === 'yes'] }),
      );
      expect((await client.get('/orders')).status).toBe(503);
      expect((await client.get('/orders').set('x-staff', 'yes')).status).toBe(200);
    });

    it.each([
      ['/health/', 200],
      ['/HEALTH', 200],
      ['/Health/', 200],
      ['/ADMIN/Maintenance/Off', 200],
      ['/health//', 503],
    ])('lets %s through as the router routes it to an allowed path, answering %i', async (path, status) => {
      const client = await serve(maintenance({ allow: ['/health', '/admin/'] }));
      expect((await client.get(path)).status).toBe(status);
    });

    it('compares as the app routes when it turns on case-sensitive or strict routing', async () => {
      const app = express();
      app.set('case sensitive routing', true);
      app.set('strict routing', true);
      app.use(maintenance({ allow: ['/health', '/admin/'] }));
      app.use((_req, res) => {
        res.json({ reached: true });
      });
      app.use(serverErrors());
      const client = request(await listenLocally(app));
      expect((await client.get('/health')).status).toBe(200);
      expect((await client.get('/HEALTH')).status).toBe(503);
      expect((await client.get('/health/')).status).toBe(503);
      expect((await client.get('/admin/x')).status).toBe(200);
      expect((await client.get('/Admin/x')).status).toBe(503);
    });

    it('matches the path the client sent when the guard is mounted under a prefix', async () => {
      const client = await serve(maintenance({ allow: '/api/health' }), '/api');
      expect((await client.get('/api/health')).status).toBe(200);
      expect((await client.get('/api/orders')).status).toBe(503);
      expect((await client.get('/health')).status).toBe(200);
    });
  });
});

describe('maintenance errors', () => {
  it('hands next a ServiceUnavailable whose log message names the guard', () => {
    const next = jest.fn();
    maintenance({ retryAfter: 5 })({ url: '/x', headers: {} } as never, {} as never, next);
    const [error] = next.mock.calls[0] as [ServiceUnavailable];
    expect(error).toBeInstanceOf(ServiceUnavailable);
    expect(error.message).toBe('maintenance(): down for maintenance');
    expect(error.retryAfter).toBe(5);
  });
});

describe('maintenance options', () => {
  it('accepts no options and every valid option', () => {
    expect(() => maintenance()).not.toThrow();
    expect(() =>
      maintenance({
        enabled: () => true,
        until: () => undefined,
        retryAfter: 0,
        allow: ['/health', /^\/admin\//, () => false],
        detail: 'Upgrading the database.',
      }),
    ).not.toThrow();
    expect(() => maintenance({ enabled: true, until: later, allow: [] })).not.toThrow();
  });

  it.each([
    [
      { enabled: 'yes' },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "enabled" must be a boolean or a function \(req\) => boolean; received "yes"\./,
    ],
    [
      { until: '2030-01-01' },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "until" must be a valid Date between the years 1900 and 9999, or a function .*; received "2030-01-01"\./,
    ],
    [
      { until: new Date(Number.NaN) },
      RangeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "until" must be a valid Date.*; received Invalid Date\./,
    ],
    [
      { until: new Date(Date.UTC(1899, 11, 31, 23, 59, 59)) },
      RangeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "until" must be a valid Date.*; received Date\(1899-12-31T23:59:59\.000Z\)\./,
    ],
    [
      { until: new Date(Date.UTC(10000, 0, 1)) },
      RangeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "until" must be a valid Date.*; received Date\(\+010000-01-01T00:00:00\.000Z\)\./,
    ],
    [
      { retryAfter: -1 },
      RangeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "retryAfter" must be a non-negative, finite number of seconds; received -1\./,
    ],
    [{ retryAfter: Number.NaN }, RangeError, 'ERR_SERVER_ERRORS_INVALID_OPTION', /received NaN\./],
    [{ retryAfter: Infinity }, RangeError, 'ERR_SERVER_ERRORS_INVALID_OPTION', /received Infinity\./],
    [{ retryAfter: '120' }, TypeError, 'ERR_SERVER_ERRORS_INVALID_OPTION', /received "120"\./],
    [
      { allow: 'health' },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "allow" must be a path starting with "\/", a RegExp, a function \(req\) => boolean, or an array of them; received "health"\./,
    ],
    [
      { allow: ['/health', 42] },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "allow" must be .*; received \["\/health",42\]\./,
    ],
    [
      { allow: '/health/*' },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "allow" must be .*; received "\/health\/\*"\. Paths are not globs: write "\/health\/" to let through that path and everything under it, or use a RegExp\./,
    ],
    [
      { allow: ['/ok', '/static*'] },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /Paths are not globs: write "\/static\/"/,
    ],
    [
      { detail: '' },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "detail" must be a non-empty string; received ""\./,
    ],
    [
      { retryafter: 5 },
      TypeError,
      'ERR_SERVER_ERRORS_UNKNOWN_OPTION',
      /unknown option "retryafter"\. Did you mean "retryAfter"\? Known options: enabled, until, retryAfter, allow, detail\./,
    ],
    [
      'on',
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTIONS',
      /the options must be an options object; received "on"\./,
    ],
  ])('refuses %p at start-up with a %p', (options, Kind, code, message) => {
    const error = caught(() => maintenance(options as never));
    expect(error).toBeInstanceOf(Kind);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(/^maintenance\(\): /);
    expect(error.message).toMatch(message);
  });

  it('explains app.use(maintenance) written without the call', () => {
    const req = { method: 'GET', url: '/', headers: {}, socket: {} };
    const error = caught(() => (maintenance as (req: unknown) => unknown)(req));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe('ERR_SERVER_ERRORS_NOT_CALLED');
    expect(error.message).toContain('app.use(maintenance())');
  });
});
