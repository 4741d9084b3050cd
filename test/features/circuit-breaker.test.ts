import CircuitBreaker from 'opossum';
import request from 'supertest';

import { breakerRetryAfter } from '../../src/errors/breaker';
import { serverErrors } from '../../src/node/middleware';
import { expressVersions } from '../helpers/apps';
import { problemOf } from '../helpers/problem';

/** A breaker around a dependency that is down, opened by its first failure. */
async function openBreaker(options: CircuitBreaker.Options = {}) {
  const breaker = new CircuitBreaker(
    async () => {
      throw new Error('payments are down');
    },
    { errorThresholdPercentage: 1, volumeThreshold: 1, resetTimeout: 30_000, ...options },
  );
  await breaker.fire().catch(() => undefined);
  expect(breaker.opened).toBe(true);
  return breaker;
}

describe.each(expressVersions)('circuit breakers (opossum) on %s', (_version, express) => {
  const breakers: CircuitBreaker[] = [];
  afterEach(() => {
    for (const breaker of breakers.splice(0)) breaker.shutdown();
  });

  function appFor(breaker: CircuitBreaker) {
    breakers.push(breaker);
    const app = express();
    app.get('/pay', (_req, res, next) => {
      breaker.fire().then((value) => res.json(value), next);
    });
    app.use(serverErrors({ log: false }));
    return app;
  }

  it('answers an open breaker with a 503 never stored, not a 500', async () => {
    const res = await request(appFor(await openBreaker())).get('/pay');
    expect(res.status).toBe(503);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['retry-after']).toBeUndefined();
    expect(problemOf(res).title).toBe('Service Unavailable');
    expect(res.text).not.toContain('Breaker is open');
  });

  it('sends when the breaker half-opens as Retry-After, once breakerRetryAfter() knows the breaker', async () => {
    const breaker = breakerRetryAfter(await openBreaker({ resetTimeout: 30_000 }));
    const res = await request(appFor(breaker)).get('/pay');
    expect(res.status).toBe(503);
    const seconds = Number(res.headers['retry-after']);
    expect(Number.isInteger(seconds)).toBe(true);
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(30);
  });

  it('answers a breaker shut down, or whose calls are all in use, with a 503', async () => {
    const shut = await openBreaker();
    shut.shutdown();
    expect((await request(appFor(shut)).get('/pay')).status).toBe(503);
    // No timeout: the call that holds the only slot must not fail later, after the test.
    const busy = new CircuitBreaker(() => new Promise(() => undefined), { capacity: 1, timeout: false });
    busy.fire().catch(() => undefined);
    expect((await request(appFor(busy)).get('/pay')).status).toBe(503);
    busy.shutdown();
  });

  it('answers a breaker’s own timeout with a 504', async () => {
    const slow = new CircuitBreaker(() => new Promise(() => undefined), { timeout: 10 });
    expect((await request(appFor(slow)).get('/pay')).status).toBe(504);
  });
});
