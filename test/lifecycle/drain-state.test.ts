import { parseDrainOptions } from '../../src/lifecycle/drain-options';
import type { DrainOptions } from '../../src/lifecycle/drain-options';
import { type Closer, drainState } from '../../src/lifecycle/drain-state';

/** A closer that records what the phases asked of it; `settle` ends its `stop()`. */
function recorder() {
  const calls: string[] = [];
  let settle: () => void = () => undefined;
  const closer: Closer = {
    stop: () => {
      calls.push('stop');
      return new Promise((resolve) => (settle = () => resolve(undefined)));
    },
    idle: () => void calls.push('idle'),
    destroy: () => void calls.push('destroy'),
  };
  return { calls, closer, settle: () => settle() };
}

function state(options: DrainOptions = {}) {
  const marked: string[] = [];
  return { marked, drain: drainState<string>(parseDrainOptions(options), (handle) => marked.push(handle)) };
}

/** Lets the promise callbacks queued so far run, with the clock held still. */
async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

beforeEach(() => {
  jest.useFakeTimers();
});
afterEach(() => {
  jest.useRealTimers();
});

describe('the drain state', () => {
  it('serves while serving, serves and marks while delaying, refuses and marks once closing', async () => {
    const { drain, marked } = state({ delay: 1000 });
    const { closer } = recorder();
    expect(drain.begin('before')).toBe(true);
    void drain.close(closer);
    expect(drain.begin('during delay')).toBe(true);
    await jest.advanceTimersByTimeAsync(1000);
    expect(drain.begin('after delay')).toBe(false);
    expect(marked).toEqual(['before', 'during delay', 'after delay']);
  });

  it('counts a request in flight from begin to end, refused ones included', async () => {
    const { drain } = state();
    expect(drain.status()).toEqual({ draining: false, inFlight: 0 });
    drain.begin('a');
    drain.begin('b');
    expect(drain.status()).toEqual({ draining: false, inFlight: 2 });
    void drain.close(recorder().closer);
    drain.begin('refused');
    expect(drain.status()).toEqual({ draining: true, inFlight: 3 });
    drain.end('a');
    drain.end('a');
    expect(drain.status()).toEqual({ draining: true, inFlight: 2 });
  });

  it('stops only after delay, and destroys only after grace, counted from the stop', async () => {
    const { drain } = state({ delay: 1000, grace: 500 });
    const { calls, closer } = recorder();
    drain.begin('never ends');
    let resolved = false;
    void drain.close(closer).then(() => (resolved = true));
    await jest.advanceTimersByTimeAsync(999);
    expect(calls).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(calls).toEqual(['stop']);
    await jest.advanceTimersByTimeAsync(499);
    expect(calls).toEqual(['stop']);
    expect(resolved).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(calls).toEqual(['stop', 'destroy']);
    expect(resolved).toBe(true);
    // Destroyed is gone, even if its handler never settles.
    expect(drain.status()).toEqual({ draining: true, inFlight: 0 });
  });

  it('stops at once without a delay, before close() returns', () => {
    const { drain } = state();
    const { calls, closer } = recorder();
    void drain.close(closer);
    expect(calls).toEqual(['stop']);
    expect(drain.begin('late')).toBe(false);
  });

  it('closes idle connections each time a request ends while closing, and resolves once the last has ended and the server closed', async () => {
    const { drain } = state({ grace: 60_000 });
    const { calls, closer, settle } = recorder();
    drain.begin('a');
    drain.begin('b');
    let resolved = false;
    void drain.close(closer).then(() => (resolved = true));
    drain.end('a');
    await flush();
    expect(calls).toEqual(['stop', 'idle']);
    expect(resolved).toBe(false);
    drain.end('b');
    await flush();
    expect(calls).toEqual(['stop', 'idle', 'idle', 'idle']);
    // The last request is done, but the server has not closed yet.
    expect(resolved).toBe(false);
    settle();
    await flush();
    expect(resolved).toBe(true);
    expect(calls).not.toContain('destroy');
  });

  it('resolves when the last request ends even if the runtime cannot tell when its server closed', async () => {
    const { drain } = state({ grace: 60_000 });
    drain.begin('a');
    let resolved = false;
    const closer: Closer = { stop: async () => undefined, idle: () => undefined, destroy: () => undefined };
    void drain.close(closer).then(() => (resolved = true));
    await flush();
    expect(resolved).toBe(false);
    drain.end('a');
    await flush();
    expect(resolved).toBe(true);
  });

  it('counts a stop that rejects as a closed server', async () => {
    const { drain } = state();
    const closer: Closer = {
      stop: () => Promise.reject(new Error('not running')),
      idle: () => undefined,
      destroy: () => undefined,
    };
    await expect(drain.close(closer)).resolves.toBeUndefined();
  });

  it('runs the phases once: a second close() returns the same promise and ignores its closer', async () => {
    const { drain } = state();
    const first = recorder();
    const second = recorder();
    const closing = drain.close(first.closer);
    expect(drain.close(second.closer)).toBe(closing);
    first.settle();
    await closing;
    expect(second.calls).toEqual([]);
  });

  it('refuses what arrives after the shutdown, without touching the closer again', async () => {
    const { drain } = state();
    const { calls, closer, settle } = recorder();
    const closing = drain.close(closer);
    settle();
    await closing;
    expect(drain.begin('late')).toBe(false);
    drain.end('late');
    expect(calls).toEqual(['stop', 'idle']);
  });
});
