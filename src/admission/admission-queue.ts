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
   * The queue has not been empty for 100 ms (or for 20 ms, with requests bringing more handler time
   * than passed), and has not stayed empty for 100 ms since: requests are served newest first, and
   * refused once they cannot start within 3 ms of arriving.
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
 * CoDel's interval. The queue has not been empty this long: the server is
 * overloaded. Overloaded, it has recovered once the queue has stayed empty
 * this long: leaving at the first empty moment made the state flap, and each
 * return to the long deadline let requests wait tens of ms (measured: p99
 * 37–167 ms at 1.5–3C, against 5–20 ms with the hysteresis).
 */
export const INTERVAL_MS = 100;
/**
 * The queue has not been empty this long, and the requests that arrived
 * meanwhile bring more handler time than has passed: overloaded, sooner than
 * {@link INTERVAL_MS}. At 3C from idle, 100 ms of the long deadline left the
 * first requests waiting up to 200 ms and their refusals up to 100 ms, the
 * tail of a whole run (measured, bench/overload.mjs).
 */
export const OVERLOAD_AFTER_MS = 20;
/**
 * Once overloaded, the longest a request waits before it is refused (CoDel's
 * target), and how long the queue stands before it is served newest first.
 * Overloaded, a request that does not start in the turn after it is read
 * rarely starts at all: newer ones keep arriving on top of it. With 5 ms, the
 * median 503 at 1.5C waited out the whole deadline (6.6 ms from its send time,
 * p99 13–14 ms); with 3 ms, 2.3 ms, and the 200s were no fewer (measured,
 * bench/overload.mjs).
 */
export const OVERLOADED_TIMEOUT_MS = 3;
/** Weight of the newest sample in the running means of the time per start. */
const MEAN_WEIGHT = 0.2;

interface Waiting<Item> {
  readonly item: Item;
  readonly arrivedAt: number;
}

/**
 * The queue in front of a server: a limit on requests in flight (fixed, or a
 * {@link gradientLimit}), a bounded queue with a queue-time deadline, served
 * in arrival order while it keeps emptying, newest first once it has stood
 * for 3 ms, and with a 3 ms deadline once it is overloaded (Facebook's
 * adaptive LIFO with controlled delay: the freshest requests are the ones
 * whose clients are still waiting, and refusing the others quickly is what
 * keeps latency bounded). Overloaded, a request that cannot start within its
 * deadline is refused as soon as that is certain. Requests arriving while the
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
  /**
   * Requests that arrived to wait since then, once a turn had run: those read
   * with the first are the backlog of whatever held the loop (a stall reads
   * them all at once), not a rate of arrival.
   */
  let arrivedSince = 0;
  /** Whether a turn has run since the queue last stopped being empty. */
  let turnedSinceQueued = false;
  let cancelExpiry: (() => void) | undefined;
  let overloaded = false;
  /** When the queue last became empty; undefined while it holds requests. */
  let emptySince: number | undefined;
  /**
   * While requests wait, how long the server takes per request it starts: its
   * handlers, the poll phases between them, or the wait for a slot under the
   * limit. A running mean; undefined until the first backlog.
   */
  let msPerStart: number | undefined;
  /** The last turn that started requests and left others waiting. */
  let backlogTurn: { readonly at: number; readonly starts: number } | undefined;
  /** How long starting a request keeps the event loop busy (its handler's synchronous part): a running mean. */
  let handlerMs: number | undefined;

  /** Starts `item`; returns the time once its handler has returned. */
  function begin(item: Item, now: number): number {
    inFlight++;
    admitted++;
    hooks.start(item, now);
    const after = clock.now();
    handlerMs = runningMean(handlerMs, after - now);
    return after;
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
    if (!overloaded && nonEmptySince !== undefined) {
      const standing = now - nonEmptySince;
      // Requests arriving with more handler time than has passed: the
      // standing queue is an overload, not a stall (a GC, a slow first
      // request, a core taken by the host) that the server will catch up
      // from. Handlers that wait on I/O instead show their overload by time
      // alone, as in CoDel.
      overloaded =
        standing >= INTERVAL_MS ||
        (standing >= OVERLOAD_AFTER_MS && arrivedSince * (handlerMs ?? 0) > standing);
    } else if (queue.size === 0 && emptySince !== undefined && now - emptySince >= INTERVAL_MS)
      overloaded = false;
    return overloaded;
  }

  /**
   * Refuses, oldest first, the waiting requests that cannot start before
   * their deadline. Newest first, the one `p` places from the top starts at
   * the earliest `p` starts from now, however few arrive meanwhile: refusing it
   * now instead of once its wait has run out answers it sooner and frees the
   * turn. In arrival order, a request is refused once its wait has run out.
   */
  function expire(now: number, timeout: number, newestFirst: boolean): void {
    const perStart = newestFirst ? (msPerStart ?? 0) : 0;
    for (
      let oldest = queue.peekOldest();
      oldest !== undefined && now - oldest.arrivedAt + (queue.size - 1) * perStart > timeout;
      oldest = queue.peekOldest()
    ) {
      drop(queue.shift() as Waiting<Item>);
    }
  }

  /** One turn of the event loop: expire, then start what the limit and the slice allow. */
  function turn(): void {
    scheduled = false;
    turnStartedAt = undefined;
    cancelExpiry?.();
    cancelExpiry = undefined;
    if (queue.size === 0) return;
    turnedSinceQueued = true;
    const startedAt = clock.now();
    let now = startedAt;
    const shortDeadline = isOverloaded(now);
    // A queue that has stood for longer than the short deadline is served
    // newest first before it is called an overload: at 3C from idle, the
    // requests of those first milliseconds are then the fresh ones.
    const newestFirst =
      shortDeadline || (nonEmptySince !== undefined && now - nonEmptySince >= OVERLOADED_TIMEOUT_MS);
    const timeout = shortDeadline ? OVERLOADED_TIMEOUT_MS : settings.queueTimeout;
    expire(now, timeout, newestFirst);
    let starts = 0;
    while (queue.size > 0 && inFlight < limit.current && now - startedAt < TURN_SLICE_MS) {
      const next = (newestFirst ? queue.pop() : queue.shift()) as Waiting<Item>;
      if (hooks.gone(next.item)) {
        skipped++;
        continue;
      }
      if (starts++ === 0) {
        turnStartedAt = startedAt;
        if (backlogTurn !== undefined)
          msPerStart = runningMean(msPerStart, (startedAt - backlogTurn.at) / backlogTurn.starts);
      }
      now = begin(next.item, now);
    }
    if (queue.size === 0) {
      nonEmptySince = undefined;
      emptySince ??= now;
    }
    if (starts > 0) backlogTurn = queue.size > 0 ? { at: startedAt, starts } : undefined;
    // A turn that started requests stays open until the next one, so that what
    // the next poll phase reads is judged against this turn's slice.
    if (starts > 0 || (queue.size > 0 && inFlight < limit.current)) schedule();
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
      if (queue.size === 0) {
        nonEmptySince = now;
        arrivedSince = 0;
        turnedSinceQueued = false;
      }
      if (turnedSinceQueued) arrivedSince++;
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

/**
 * A running mean of durations. One stalled sample (a GC, a core taken by the
 * host) counts as at most twice the mean, so that it does not make the server
 * look slow for the next dozen.
 */
function runningMean(mean: number | undefined, sample: number): number {
  if (mean === undefined) return sample;
  return mean + MEAN_WEIGHT * (Math.min(sample, 2 * mean) - mean);
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
