import {
  type AdmissionClock,
  type AdmissionQueueSettings,
  admissionQueue,
  INTERVAL_MS,
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
  /** How long each refused request had waited. */
  const waitedWhenRefused = new Map<string, number>();
  const offeredAt = new Map<string, number>();
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
      refuse: (item) => {
        refused.push(item.name);
        waitedWhenRefused.set(item.name, loop.clock.now() - (offeredAt.get(item.name) as number));
      },
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
    waitedWhenRefused,
    parked: () => parked,
    handlersTake(ms: number) {
      handlerMs = ms;
    },
    offer(...names: string[]) {
      for (const name of names) {
        const item = { name, gone: false };
        items.set(name, item);
        offeredAt.set(name, loop.clock.now());
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
    g.advance(INTERVAL_MS);
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
    g.advance(INTERVAL_MS);
    expect(g.queue.status()).toMatchObject({ overloaded: false, queued: 0 });
    g.offer('x', 'y');
    g.advance(OVERLOADED_TIMEOUT_MS - 1);
    g.finish('new1');
    g.turn();
    expect(g.started.at(-1)).toBe('x');
    g.advance(OVERLOADED_TIMEOUT_MS * 4);
    g.turn();
    expect(g.refused).toEqual(['old1', 'old2']);
    expect(g.queue.status()).toMatchObject({ overloaded: false, queued: 1 });
  });

  it('stays overloaded through a queue that empties for a moment and fills again', () => {
    const g = gate({ maxInFlight: 1 });
    g.offer('a', 'b');
    g.advance(INTERVAL_MS);
    g.offer('fresh');
    g.finish('a');
    g.turn();
    expect(g.started).toEqual(['a', 'fresh']);
    expect(g.refused).toEqual(['b']);
    expect(g.queue.status()).toMatchObject({ overloaded: true, queued: 0 });
    // Refilled before it stayed empty for the interval: the short deadline holds at once.
    g.advance(INTERVAL_MS / 2);
    g.offer('c');
    g.advance(OVERLOADED_TIMEOUT_MS + 1);
    g.turn();
    expect(g.refused).toEqual(['b', 'c']);
  });

  it('has recovered when the first request after a quiet spell has to wait', () => {
    const g = gate({ maxInFlight: 1 });
    g.offer('a', 'old');
    g.advance(INTERVAL_MS);
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

  it('serves newest first once the queue has stood for the short deadline, before it is overloaded', () => {
    const g = gate({ maxInFlight: 1 });
    g.offer('a', 'b', 'c');
    g.advance(OVERLOADED_TIMEOUT_MS);
    g.finish('a');
    g.turn();
    expect(g.started).toEqual(['a', 'c']);
    expect(g.refused).toEqual([]);
    expect(g.queue.status()).toMatchObject({ overloaded: false, queued: 1 });
  });

  /** Three requests arrive during each 3 ms handler: one per ms, against one start per 3 ms. */
  function cpuBound(g: ReturnType<typeof gate>, turns: number, from = 0) {
    g.handlersTake(3);
    for (let i = from; i < from + turns; i++) {
      g.offer(`${i}a`, `${i}b`, `${i}c`);
      g.turn();
    }
  }

  // Handlers whose response ends within them: no limit on requests in flight is reached.
  const unlimited = { maxInFlight: 1000 };

  it('calls a queue that requests fill faster than handlers run an overload within 20 ms', () => {
    const g = gate(unlimited);
    let turns = 0;
    while (!g.queue.status().overloaded && turns < 40) cpuBound(g, 1, turns++);
    // Each turn is one 3 ms handler; the queue has stood since the first one's end.
    expect(turns * 3).toBeGreaterThanOrEqual(OVERLOAD_AFTER_MS);
    expect(turns * 3).toBeLessThan(OVERLOAD_AFTER_MS + 3);
  });

  it('once overloaded, refuses a request as soon as it cannot start within the deadline, not after', () => {
    const g = gate(unlimited);
    cpuBound(g, 12);
    expect(g.queue.status().overloaded).toBe(true);
    // What waited in the queue before the overload was called goes first; from then on:
    const before = g.refused.length;
    const startedBefore = g.started.length;
    cpuBound(g, 10, 12);
    const refusedSince = g.refused.slice(before);
    // Two of the three that arrive during each turn's handler, at least.
    expect(refusedSince.length).toBeGreaterThanOrEqual(20);
    for (const name of refusedSince)
      expect(g.waitedWhenRefused.get(name)).toBeLessThanOrEqual(OVERLOADED_TIMEOUT_MS);
    // Each turn still starts one, the newest.
    expect(g.started.slice(startedBefore)).toEqual([...Array(10).keys()].map((i) => `${i + 12}c`));
  });

  it('does not call a stall an overload: a handler that blocks for 40 ms, and the queue catches up', () => {
    const g = gate(unlimited);
    g.handlersTake(1);
    // A request every 5 ms, served in 1 ms.
    for (let i = 0; i < 10; i++) {
      g.offer(`warm${i}`);
      g.turn();
      g.advance(4);
    }
    // Two start at once within the turn's slice; two wait; the first of them stalls (a GC, a core taken by the host).
    g.offer('x', 'y', 'z1', 'z2');
    g.handlersTake(40);
    g.turn();
    g.handlersTake(1);
    const meanwhile = ['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8'];
    g.offer(...meanwhile);
    for (let i = 0; i < 20 && g.queue.status().queued > 0; i++) g.turn();
    expect(g.refused).toEqual([]);
    expect(g.queue.status()).toMatchObject({ overloaded: false, queued: 0 });
    expect(g.started).toHaveLength(10 + 4 + 8);
    expect(g.started).toEqual(expect.arrayContaining([...meanwhile, 'z2']));
  });

  it('does not call the backlog of a stall an overload at half load', () => {
    const g = gate(unlimited);
    // A request every 5 ms, whose handler takes 2.5 ms: half of what the server can serve.
    g.handlersTake(2.5);
    let due = 0;
    let sent = 0;
    // Each turn, the poll phase reads every request due by then; what a stall held back comes at once.
    const step = () => {
      for (; due <= g.clock.now(); due += 5) g.offer(`r${sent++}`);
      g.turn();
      if (g.pending() === 0 && g.queue.status().queued === 0) g.advance(due - g.clock.now());
    };
    const run = (until: number) => {
      while (g.clock.now() < until) step();
    };
    run(200);
    // The loop stops for 40 ms (a GC, a core taken by the host): eight requests pile up unread.
    g.spend(40);
    run(600);
    expect(g.refused).toEqual([]);
    expect(g.queue.status()).toMatchObject({ overloaded: false });
    expect(g.started).toHaveLength(sent - g.queue.status().queued);
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
