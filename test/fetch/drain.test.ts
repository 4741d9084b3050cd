import { drain, serverErrors } from '../../src/fetch';
import { caught } from '../helpers/caught';

const handle = serverErrors({ log: false });
const request = () => new Request('http://localhost/orders?token=secret');

/** Lets the promise callbacks queued so far run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** A handler that answers when the test says so. */
function held() {
  let release: () => void = () => undefined;
  const fetch = () => new Promise<Response>((resolve) => (release = () => resolve(new Response('late'))));
  return { fetch, release: () => release() };
}

describe('drain() for fetch runtimes', () => {
  it('answers what the wrapped fetch throws with handle, as handle.wrap does', async () => {
    const fetch = drain().wrap(() => {
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    }, handle);
    const response = await fetch(request());
    expect(response.status).toBe(502);
    expect(response.headers.get('connection')).toBeNull();
  });

  it("refuses once stopped with handle's own problem, under the app's typeBase, with Connection: close", async () => {
    const draining = drain({ retryAfter: 5 });
    const fetch = draining.wrap(
      () => new Response('served'),
      serverErrors({ log: false, typeBase: 'https://api.example.com/problems/' }),
    );
    await draining.close();
    const response = await fetch(request());
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.json()).toMatchObject({
      type: 'https://api.example.com/problems/service-unavailable',
      instance: '/orders',
    });
  });

  it('hands back the same Response while serving, and a copy with Connection: close of one whose headers are immutable while draining', async () => {
    jest.useFakeTimers();
    try {
      const draining = drain({ delay: 1000 });
      const redirect = Response.redirect('https://example.com/elsewhere', 302);
      const fetch = draining.wrap(() => redirect, handle);
      expect(await fetch(request())).toBe(redirect);
      const closing = draining.close();
      const copy = await fetch(request());
      expect(copy).not.toBe(redirect);
      expect(copy.status).toBe(302);
      expect(copy.headers.get('location')).toBe('https://example.com/elsewhere');
      expect(copy.headers.get('connection')).toBe('close');
      await jest.advanceTimersByTimeAsync(1000);
      await closing;
    } finally {
      jest.useRealTimers();
    }
  });

  it('hands back a Response it cannot copy as it is', async () => {
    const draining = drain({ delay: 1000 });
    const broken = Response.error();
    jest.useFakeTimers();
    try {
      const fetch = draining.wrap(() => broken, handle);
      const closing = draining.close();
      expect(await fetch(request())).toBe(broken);
      await jest.advanceTimersByTimeAsync(1000);
      await closing;
    } finally {
      jest.useRealTimers();
    }
  });

  it('resolves close() once the last handler has returned, with no server to stop', async () => {
    const draining = drain();
    const slow = held();
    const answered = draining.wrap(slow.fetch, handle)(request());
    let resolved = false;
    const closing = draining.close().then(() => (resolved = true));
    await flush();
    expect(resolved).toBe(false);
    expect(draining.status()).toEqual({ draining: true, inFlight: 1 });
    slow.release();
    expect((await answered).headers.get('connection')).toBe('close');
    await closing;
    expect(draining.status()).toEqual({ draining: true, inFlight: 0 });
  });

  it("calls the runtime's stop(false) after delay and stop(true) after grace, for a handler that never settles", async () => {
    jest.useFakeTimers();
    try {
      const draining = drain({ delay: 1000, grace: 500 });
      const stops: boolean[] = [];
      void draining.wrap(() => new Promise<Response>(() => undefined), handle)(request());
      let resolved = false;
      void draining.close((force) => stops.push(force)).then(() => (resolved = true));
      await jest.advanceTimersByTimeAsync(999);
      expect(stops).toEqual([]);
      await jest.advanceTimersByTimeAsync(1);
      expect(stops).toEqual([false]);
      await jest.advanceTimersByTimeAsync(500);
      expect(stops).toEqual([false, true]);
      expect(resolved).toBe(true);
      expect(draining.status()).toEqual({ draining: true, inFlight: 0 });
    } finally {
      jest.useRealTimers();
    }
  });

  it('waits for the promise the runtime’s stop returns, as Deno’s shutdown() gives', async () => {
    const draining = drain();
    let shutDown: () => void = () => undefined;
    let resolved = false;
    const closing = draining
      .close(() => new Promise<void>((resolve) => (shutDown = resolve)))
      .then(() => (resolved = true));
    await flush();
    expect(resolved).toBe(false);
    shutDown();
    await closing;
    expect(resolved).toBe(true);
  });

  it('explains fetch: drain written without the call', () => {
    const error = caught(() => (drain as (request: Request) => unknown)(request()));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe('ERR_SERVER_ERRORS_NOT_CALLED');
  });
});
