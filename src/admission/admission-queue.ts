import { Deque } from './deque';
import { type ConcurrencyLimit, fixedLimit, gradientLimit } from './gradient-limit';

/** What `admission().status()` reports, for a metrics route. */
export interface AdmissionStatus {
  /** How many requests may be in flight now: `maxInFlight`, or the adaptive limit's current value. */
  readonly limit: number;
  /** Requests started and not yet finished (the always-admitted ones are not counted). */
  readonly inFlight: number;
  /** Requests waiting to start. */
  readonly queued: number;
  /**
   * The queue has not been empty for 100 ms, and has not stayed empty for 100 ms since: requests are
   * served newest first, and refused after 5 ms of waiting.
   */
  readonly overloaded: boolean;
  /** Requests started since the gate was made. */
  readonly admitted: number;
  /** Requests answered 503 since the gate was made. */
  readonly refused: number;
  /** Queued requests dropped unanswered because their client had gone. */
  readonly skipped: number;
}

/** What the queue does to the requests of one runtime. */
export interface AdmissionHooks<Item> {
  /** Serve it; call {@link AdmissionQueue.finish} with `startedAt` once its response has finished. */
  start(item: Item, startedAt: number): void;
  /** Answer it with a 503. */
  refuse(item: Item): void;
  /** Its client has gone: nobody would receive the answer. */
  gone(item: Item): boolean;
  /** It is about to wait in the queue: keep what it needs to start later (its async context). */
  park(item: Item): void;
}

/** Time and turns of the event loop, a fake in tests. */
export interface AdmissionClock {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Runs `task` after the event loop's next poll phase (`setImmediate`). */
  defer(task: () => void): void;
  /** Runs `task` in `ms`, without keeping the process alive; returns the cancel. */
  after(ms: number, task: () => void): () => void;
}

/** Admission control for one server, whatever its runtime. */
export interface AdmissionQueue<Item> {
  /** A request arrives: it starts now, waits, or (the queue being full) the oldest waiting one is refused. */
  offer(item: Item): void;
  /** A started request's response has finished (or its connection closed). */
  finish(startedAt: number): void;
  status(): AdmissionStatus;
}

export interface AdmissionQueueSettings {
  readonly maxInFlight: number | undefined;
  readonly maxQueue: number;
  readonly queueTimeout: number;
}

/**
 * Handler time one turn of the event loop may spend starting requests before
 * it lets the poll phase read and timestamp the ones that arrived meanwhile.
 * Without it, the backlog of an overloaded server waits in socket buffers,
 * where no queue can see it or refuse from it.
 */
export const TURN_SLICE_MS = 2;
/**
 * The queue has not been empty this long: the server is overloaded (CoDel's
 * interval); and it has recovered once the queue has stayed empty this long.
 * Leaving at the first empty moment made the state flap, and each return to
 * the long deadline let requests wait tens of ms (measured: p99 37–167 ms at
 * 1.5–3C, against 5–20 ms with the hysteresis).
 */
export const OVERLOAD_AFTER_MS = 100;
/** Once overloaded, the longest a request waits before it is refused (CoDel's target). */
export const OVERLOADED_TIMEOUT_MS = 5;

interface Waiting<Item> {
  readonly item: Item;
  readonly arrivedAt: number;
}

/**
 * The queue in front of a server: a limit on requests in flight (fixed, or a
 * {@link gradientLimit}), a bounded queue with a queue-time deadline, served
 * in arrival order until it stops emptying, then newest first with a 5 ms
 * deadline (Facebook's adaptive LIFO with controlled delay: the freshest
 * requests are the ones whose clients are still waiting, and refusing the
 * others quickly is what keeps latency bounded). Requests arriving while the
 * server keeps up start at once, in the turn that read them; once a turn has
 * spent {@link TURN_SLICE_MS} on handlers, the rest wait for the next one.
 *
 * @example
 * const queue = admissionQueue(settings, { start, refuse, gone, park });
 * server.on('request', (req, res) => queue.offer({ req, res }));
 */
export function admissionQueue<Item>(
  settings: AdmissionQueueSettings,
  hooks: AdmissionHooks<Item>,
  clock: AdmissionClock = REAL_CLOCK,
): AdmissionQueue<Item> {
  const limit: ConcurrencyLimit =
    settings.maxInFlight === undefined ? gradientLimit() : fixedLimit(settings.maxInFlight);
  const queue = new Deque<Waiting<Item>>();
  let inFlight = 0;
  let admitted = 0;
  let refused = 0;
  let skipped = 0;
  /** When the open turn began to start requests; undefined between turns. */
  let turnStartedAt: number | undefined;
  let scheduled = false;
  /** When the queue last stopped being empty. */
  let nonEmptySince: number | undefined;
  let cancelExpiry: (() => void) | undefined;
  let overloaded = false;
  /** When the queue last became empty; undefined while it holds requests. */
  let emptySince: number | undefined;

  function begin(item: Item, now: number): void {
    inFlight++;
    admitted++;
    hooks.start(item, now);
  }

  function drop({ item }: Waiting<Item>): void {
    if (hooks.gone(item)) skipped++;
    else {
      refused++;
      hooks.refuse(item);
    }
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    clock.defer(turn);
  }

  function isOverloaded(now: number): boolean {
    if (!overloaded) overloaded = nonEmptySince !== undefined && now - nonEmptySince >= OVERLOAD_AFTER_MS;
    else if (queue.size === 0 && emptySince !== undefined && now - emptySince >= OVERLOAD_AFTER_MS)
      overloaded = false;
    return overloaded;
  }

  /** One turn of the event loop: expire, then start what the limit and the slice allow. */
  function turn(): void {
    scheduled = false;
    turnStartedAt = undefined;
    cancelExpiry?.();
    cancelExpiry = undefined;
    if (queue.size === 0) return;
    const startedAt = clock.now();
    let now = startedAt;
    const newestFirst = isOverloaded(now);
    const timeout = newestFirst ? OVERLOADED_TIMEOUT_MS : settings.queueTimeout;
    for (let oldest = queue.peekOldest(); oldest !== undefined && now - oldest.arrivedAt > timeout;) {
      drop(queue.shift() as Waiting<Item>);
      oldest = queue.peekOldest();
    }
    let started = false;
    while (queue.size > 0 && inFlight < limit.current && now - startedAt < TURN_SLICE_MS) {
      const next = (newestFirst ? queue.pop() : queue.shift()) as Waiting<Item>;
      if (hooks.gone(next.item)) {
        skipped++;
        continue;
      }
      if (!started) {
        started = true;
        turnStartedAt = startedAt;
      }
      begin(next.item, now);
      now = clock.now();
    }
    if (queue.size === 0) {
      nonEmptySince = undefined;
      emptySince ??= now;
    }
    // A turn that started requests stays open until the next one, so that what
    // the next poll phase reads is judged against this turn's slice.
    if (started || (queue.size > 0 && inFlight < limit.current)) schedule();
    else if (queue.size > 0) expireLater(now, timeout);
  }

  /**
   * Every request in flight is slow: nothing may start until one finishes,
   * but the oldest waiting one is refused when its wait runs out, not when
   * the next request happens to arrive.
   */
  function expireLater(now: number, timeout: number): void {
    const oldest = queue.peekOldest() as Waiting<Item>;
    cancelExpiry = clock.after(Math.max(1, oldest.arrivedAt + timeout - now + 1), schedule);
  }

  return {
    offer(item) {
      const now = clock.now();
      if (
        queue.size === 0 &&
        inFlight < limit.current &&
        (turnStartedAt === undefined || now - turnStartedAt < TURN_SLICE_MS)
      ) {
        if (turnStartedAt === undefined) {
          turnStartedAt = now;
          schedule();
        }
        begin(item, now);
        return;
      }
      hooks.park(item);
      // An overload that ended while the queue stayed empty ends before this
      // request waits, not with it: it must not get the overload's deadline.
      isOverloaded(now);
      if (queue.size === 0) nonEmptySince = now;
      emptySince = undefined;
      queue.push({ item, arrivedAt: now });
      if (queue.size > settings.maxQueue) drop(queue.shift() as Waiting<Item>);
      schedule();
    },
    finish(startedAt) {
      const now = clock.now();
      limit.sample(now - startedAt, inFlight, now);
      inFlight--;
      if (queue.size > 0) schedule();
    },
    status() {
      return Object.freeze({
        limit: limit.current,
        inFlight,
        queued: queue.size,
        overloaded: isOverloaded(clock.now()),
        admitted,
        refused,
        skipped,
      });
    },
  };
}

const REAL_CLOCK: AdmissionClock = {
  now: () => performance.now(),
  defer: (task) => setImmediate(task),
  after(ms, task) {
    const timer = setTimeout(task, ms);
    // Waiting to refuse must never be what keeps the process alive.
    timer.unref();
    return () => clearTimeout(timer);
  },
};
