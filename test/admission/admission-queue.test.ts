import {
  type AdmissionClock,
  type AdmissionQueueSettings,
  admissionQueue,
  OVERLOAD_AFTER_MS,
  OVERLOADED_TIMEOUT_MS,
  TURN_SLICE_MS,
} from '../../src/admission/admission-queue';

/** A request as the queue sees it: a name, and whether its client has left. */
interface Item {
  readonly name: string;
  gone: boolean;
}

/**
 * The event loop under the test's control: `now` moves only when told,
 * deferred tasks run only at `turn()`, timers only at `advance()`.
 */
function fakeLoop() {
  let now = 0;
  let deferred: (() => void)[] = [];
  const timers = new Set<{ at: number; task: () => void }>();
  const clock: AdmissionClock = {
    now: () => now,
    defer: (task) => void deferred.push(task),
    after(ms, task) {
      const timer = { at: now + ms, task };
      timers.add(timer);
      return () => timers.delete(timer);
    },
  };
  return {
    clock,
    /** The check phase of one turn: what was deferred before it runs. */
    turn() {
      const tasks = deferred;
      deferred = [];
      for (const task of tasks) task();
    },
    /** Time passes; the timers due run, then a turn. */
    advance(ms: number) {
      now += ms;
      for (const timer of [...timers]) {
        if (timer.at <= now) {
          timers.delete(timer);
          timer.task();
        }
      }
    },
    pending: () => deferred.length,
    /** A handler runs: time passes, nothing else happens. */
    spend(ms: number) {
      now += ms;
    },
  };
}

function gate(settings: Partial<AdmissionQueueSettings> = {}) {
  const loop = fakeLoop();
  const started: string[] = [];
  const refused: string[] = [];
  const startedAt = new Map<string, number>();
  let parked = 0;
  /** How long each handler runs, synchronously, when started. */
  let handlerMs = 0;
  const queue = admissionQueue<Item>(
    { maxInFlight: undefined, maxQueue: 1000, queueTimeout: 500, ...settings },
    {
      start: (item, at) => {
        started.push(item.name);
        startedAt.set(item.name, at);
        loop.spend(handlerMs);
      },
      refuse: (item) => void refused.push(item.name),
      gone: (item) => item.gone,
      park: () => void parked++,
    },
    loop.clock,
  );
  const items = new Map<string, Item>();
  return {
    ...loop,
    queue,
    started,
    refused,
    parked: () => parked,
    handlersTake(ms: number) {
      handlerMs = ms;
    },
    offer(...names: string[]) {
      for (const name of names) {
        const item = { name, gone: false };
        items.set(name, item);
        queue.offer(item);
      }
    },
    item: (name: string) => items.get(name) as Item,
    finish(name: string) {
      queue.finish(startedAt.get(name) as number);
    },
  };
}

describe('admissionQueue()', () => {
  it('starts a request at once while the server keeps up, in the turn that read it', () => {
    const g = gate({ maxInFlight: 4 });
    g.offer('a');
    expect(g.started).toEqual(['a']);
    expect(g.parked()).toBe(0);
    expect(g.queue.status()).toMatchObject({ inFlight: 1, queued: 0, admitted: 1, refused: 0 });
    g.finish('a');
    expect(g.queue.status().inFlight).toBe(0);
  });

  it('queues what arrives once the limit is reached, and starts it in order as requests finish', () => {
    const g = gate({ maxInFlight: 2 });
    g.offer('a', 'b', 'c', 'd');
    expect(g.started).toEqual(['a', 'b']);
    expect(g.parked()).toBe(2);
    expect(g.queue.status()).toMatchObject({ inFlight: 2, queued: 2, limit: 2 });
    g.turn();
    expect(g.started).toEqual(['a', 'b']);
    g.finish('a');
    g.turn();
    expect(g.started).toEqual(['a', 'b', 'c']);
    g.finish('b');
    g.turn();
    expect(g.started).toEqual(['a', 'b', 'c', 'd']);
  });

  it('lets one turn spend only its slice on handlers, and the rest wait for the next turn', () => {
    const g = gate();
    g.handlersTake(TURN_SLICE_MS);
    // The handler of a takes the whole slice: what the same poll phase reads next waits.
    g.offer('a', 'b', 'c');
    expect(g.started).toEqual(['a']);
    g.finish('a');
    g.turn();
    // The next turn starts b; c waits again once b has used up that turn's slice.
    expect(g.started).toEqual(['a', 'b']);
    g.finish('b');
    g.turn();
    expect(g.started).toEqual(['a', 'b', 'c']);
  });

  it('starts several short requests in one turn, up to the slice', () => {
    const g = gate();
    g.handlersTake(TURN_SLICE_MS);
    g.offer('a', 'b', 'c', 'd');
    g.handlersTake(TURN_SLICE_MS / 4);
    g.finish('a');
    g.turn();
    // b, c and d take three quarters of the slice together.
    expect(g.started).toEqual(['a', 'b', 'c', 'd']);
  });

  it('refuses the request that has waited longest when one more arrives to a full queue', () => {
    const g = gate({ maxInFlight: 1, maxQueue: 2 });
    g.offer('a', 'b', 'c', 'd');
    expect(g.refused).toEqual(['b']);
    expect(g.queue.status()).toMatchObject({ queued: 2, refused: 1 });
  });

  it('refuses a request whose wait runs past queueTimeout, even when nothing else happens', () => {
    const g = gate({ maxInFlight: 1, queueTimeout: 50 });
    g.offer('a', 'b');
    g.turn();
    g.advance(50);
    g.turn();
    expect(g.refused).toEqual([]);
    g.advance(2);
    g.turn();
    expect(g.refused).toEqual(['b']);
    expect(g.queue.status().queued).toBe(0);
  });

  it('drops unanswered a waiting request whose client has gone, and serves the next one', () => {
    const g = gate({ maxInFlight: 1 });
    g.offer('a', 'b', 'c');
    g.item('b').gone = true;
    g.finish('a');
    g.turn();
    expect(g.started).toEqual(['a', 'c']);
    expect(g.refused).toEqual([]);
    expect(g.queue.status()).toMatchObject({ skipped: 1, refused: 0 });
  });

  it('does not answer a gone client when its wait runs out either', () => {
    const g = gate({ maxInFlight: 1, queueTimeout: 10 });
    g.offer('a', 'b');
    g.item('b').gone = true;
    g.advance(20);
    g.turn();
    expect(g.refused).toEqual([]);
    expect(g.queue.status().skipped).toBe(1);
  });

  it('serves newest first with a short deadline once the queue has not emptied for a while, then recovers', () => {
    const g = gate({ maxInFlight: 1 });
    g.offer('a', 'old1', 'old2');
    expect(g.queue.status().overloaded).toBe(false);
    g.advance(OVERLOAD_AFTER_MS);
    expect(g.queue.status().overloaded).toBe(true);
    g.offer('new1', 'new2');
    g.finish('a');
    g.turn();
    // Newest first; the two that waited longer than the overload deadline are refused.
    expect(g.started).toEqual(['a', 'new2']);
    expect(g.refused).toEqual(['old1', 'old2']);
    g.advance(OVERLOADED_TIMEOUT_MS - 1);
    g.finish('new2');
    g.turn();
    expect(g.started).toEqual(['a', 'new2', 'new1']);
    // The queue emptied, but one empty moment is no recovery: still overloaded.
    expect(g.queue.status()).toMatchObject({ overloaded: true, queued: 0 });
    // Once it has stayed empty as long as it took to call it overloaded: arrival order, the long deadline.
    g.advance(OVERLOAD_AFTER_MS);
    expect(g.queue.status()).toMatchObject({ overloaded: false, queued: 0 });
    g.offer('x', 'y');
    g.advance(OVERLOADED_TIMEOUT_MS * 4);
    g.finish('new1');
    g.turn();
    expect(g.started.at(-1)).toBe('x');
    expect(g.refused).toEqual(['old1', 'old2']);
  });

  it('stays overloaded through a queue that empties for a moment and fills again', () => {
    const g = gate({ maxInFlight: 1 });
    g.offer('a', 'b');
    g.advance(OVERLOAD_AFTER_MS);
    g.offer('fresh');
    g.finish('a');
    g.turn();
    expect(g.started).toEqual(['a', 'fresh']);
    expect(g.refused).toEqual(['b']);
    expect(g.queue.status()).toMatchObject({ overloaded: true, queued: 0 });
    // Refilled before it stayed empty for the interval: the short deadline holds at once.
    g.advance(OVERLOAD_AFTER_MS / 2);
    g.offer('c');
    g.advance(OVERLOADED_TIMEOUT_MS + 1);
    g.turn();
    expect(g.refused).toEqual(['b', 'c']);
  });

  it('has recovered when the first request after a quiet spell has to wait', () => {
    const g = gate({ maxInFlight: 1 });
    g.offer('a', 'old');
    g.advance(OVERLOAD_AFTER_MS);
    g.offer('fresh');
    g.finish('a');
    g.turn();
    g.finish('fresh');
    g.turn();
    // Quiet for a second, then a request waits behind one in flight: the long deadline.
    g.advance(1000);
    g.offer('b', 'c');
    g.advance(OVERLOADED_TIMEOUT_MS * 2);
    g.turn();
    expect(g.refused).toEqual(['old']);
    expect(g.queue.status()).toMatchObject({ overloaded: false, queued: 1 });
  });

  it('keeps no turn scheduled while it waits on requests in flight: it is woken by finish', () => {
    const g = gate({ maxInFlight: 1 });
    g.offer('a', 'b');
    g.turn();
    g.turn();
    expect(g.pending()).toBe(0);
    g.finish('a');
    expect(g.pending()).toBe(1);
    g.turn();
    expect(g.started).toEqual(['a', 'b']);
  });

  it('reports a frozen status', () => {
    const g = gate();
    expect(Object.isFrozen(g.queue.status())).toBe(true);
    expect(g.queue.status()).toEqual({
      limit: 20,
      inFlight: 0,
      queued: 0,
      overloaded: false,
      admitted: 0,
      refused: 0,
      skipped: 0,
    });
  });
});
