import { type EventLoopUtilization, monitorEventLoopDelay, performance } from 'node:perf_hooks';

import * as z from 'zod/mini';

import { ServiceUnavailable } from '../errors/classes';
import type { Guard } from './guard';
import { checkingGuard } from './guard-check';
import { refusal } from '../errors/refusal';
import type { RetryableErrorOptions } from '../errors/server-error';
import { showValue } from '../misuse/show-value';
import { usageError } from '../misuse/usage-error';
import {
  DETAIL_EXPECTED,
  detailOption,
  type OptionsSpec,
  type ShapeOf,
  RETRY_AFTER_EXPECTED,
  retryAfterSeconds,
  validateOptions,
} from '../misuse/validate-options';
import { MAX_TIMER } from '../util/timers';

/** The options of {@link loadShedding}. Set at least one limit. */
export interface LoadSheddingOptions {
  /**
   * The most event-loop delay, in milliseconds (see {@link LoadSheddingStatus.eventLoopDelay}). Defaults to no limit.
   *
   * @deprecated Use `admission()`: a sampled delay reacts a sample late and then sheds everything,
   * where the queue's waiting time refuses only what cannot be served in time.
   */
  maxEventLoopDelay?: number;
  /**
   * The most event-loop utilization over one sample interval, above 0 and at most 1. Defaults to no limit.
   *
   * @deprecated Use `admission()`, for the reason given at {@link LoadSheddingOptions.maxEventLoopDelay}.
   */
  maxEventLoopUtilization?: number;
  /** The most V8 heap in use (`process.memoryUsage().heapUsed`), in bytes. Defaults to no limit. */
  maxHeapUsedBytes?: number;
  /** The most resident set size (`process.memoryUsage().rss`), in bytes. Defaults to no limit. */
  maxRssBytes?: number;
  /** Seconds until a shed client may try again, sent as `Retry-After`; `0` is sent as `0`. Defaults to `10`. */
  retryAfter?: number;
  /** How often to measure, in milliseconds. Defaults to `1000`. */
  sampleInterval?: number;
  /** The problem's public `detail`. Defaults to `"The server is too busy right now; try again shortly."`. */
  detail?: string;
}

/** The name of a limit that can be exceeded. */
export type LoadLimit = 'maxEventLoopDelay' | 'maxEventLoopUtilization' | 'maxHeapUsedBytes' | 'maxRssBytes';

/** The latest readings of a {@link loadShedding} guard, for a health route. */
export interface LoadSheddingStatus {
  /** Whether new requests are being shed: some limit is exceeded. */
  readonly underPressure: boolean;
  /**
   * Event-loop delay over the last sample interval, in milliseconds: the mean of
   * the histogram, or how late the sampler itself ran, whichever is larger.
   * Without `maxEventLoopDelay` there is no histogram (its timer would wake the
   * process 100 times a second for a reading no limit uses): how late the sampler ran.
   */
  readonly eventLoopDelay: number;
  /** Event-loop utilization over the last sample interval, from 0 to 1. */
  readonly eventLoopUtilization: number;
  readonly heapUsedBytes: number;
  readonly rssBytes: number;
  /** The limits the last sample exceeded, in option order. */
  readonly exceeded: readonly LoadLimit[];
}

/** The {@link loadShedding} middleware, with its readings and a way to stop measuring. */
export interface LoadSheddingGuard extends Guard {
  /** The latest readings; the same object until the next sample. */
  status(): LoadSheddingStatus;
  /**
   * Stops the sampler. From then on every request passes, and `status()` keeps
   * the last readings with `underPressure: false`. Safe to call twice.
   */
  close(): void;
}

// The histogram's timer fires this often (ms); its samples include this much
// of scheduled waiting, which is not delay.
const RESOLUTION = 10;

const positive = () => z.number().check(z.positive(), z.lte(Number.MAX_SAFE_INTEGER));

const schema = () =>
  z.strictObject({
    maxEventLoopDelay: z.optional(positive()),
    maxEventLoopUtilization: z.optional(z.number().check(z.positive(), z.lte(1))),
    maxHeapUsedBytes: z.optional(positive()),
    maxRssBytes: z.optional(positive()),
    retryAfter: retryAfterSeconds(),
    sampleInterval: z.optional(z.int().check(z.gte(1), z.lte(MAX_TIMER))),
    detail: detailOption(),
  });

const spec: OptionsSpec<ShapeOf<typeof schema>> = {
  name: 'loadShedding',
  schema,
  expected: {
    maxEventLoopDelay: 'a positive, finite number of milliseconds',
    maxEventLoopUtilization: 'a number above 0 and at most 1',
    maxHeapUsedBytes: 'a positive, finite number of bytes',
    maxRssBytes: 'a positive, finite number of bytes',
    retryAfter: RETRY_AFTER_EXPECTED,
    sampleInterval: `an integer number of milliseconds from 1 to ${MAX_TIMER}`,
    detail: DETAIL_EXPECTED,
  },
  numeric: new Set([
    'maxEventLoopDelay',
    'maxEventLoopUtilization',
    'maxHeapUsedBytes',
    'maxRssBytes',
    'retryAfter',
    'sampleInterval',
  ]),
};

type Readings = Omit<LoadSheddingStatus, 'underPressure' | 'exceeded'>;

/** The reading each limit caps. */
const READING: Readonly<Record<LoadLimit, keyof Readings>> = {
  maxEventLoopDelay: 'eventLoopDelay',
  maxEventLoopUtilization: 'eventLoopUtilization',
  maxHeapUsedBytes: 'heapUsedBytes',
  maxRssBytes: 'rssBytes',
};
const LIMITS = Object.keys(READING) as readonly LoadLimit[];

/**
 * Sheds load: while the event loop lags or is saturated, or memory runs high,
 * new requests get a 503 with `Retry-After` and `Cache-Control: no-store`,
 * answered by `serverErrors()`. Measuring happens on an unref'd timer every
 * `sampleInterval`; a request only reads the last verdict. Call `close()` on
 * shutdown (and in tests).
 *
 * @example
 * const shed = loadShedding({ maxEventLoopDelay: 200, maxHeapUsedBytes: 1.5e9 });
 * app.get('/health', (req, res) => res.json(shed.status()));
 * app.use(shed);
 * // …routes…
 * app.use(serverErrors());
 */
export function loadShedding(options: LoadSheddingOptions): LoadSheddingGuard {
  const parsed = validateOptions(spec, options);
  const {
    retryAfter = 10,
    sampleInterval = 1000,
    detail = 'The server is too busy right now; try again shortly.',
  } = parsed;
  const limits = LIMITS.filter((name) => parsed[name] !== undefined).map(
    (name) => [name, parsed[name] as number] as const,
  );
  if (limits.length === 0) {
    throw usageError(
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTIONS',
      `loadShedding(): set at least one limit (${LIMITS.join(', ')}), or it never sheds; received ${showValue(options)}.`,
    );
  }

  // Only the delay limit reads the histogram, whose timer fires every RESOLUTION ms, busy or idle.
  const histogram =
    parsed.maxEventLoopDelay === undefined ? undefined : monitorEventLoopDelay({ resolution: RESOLUTION });
  histogram?.enable();
  let utilization: EventLoopUtilization = performance.eventLoopUtilization();
  let sampledAt = performance.now();
  let current = judge(0, 0);
  // What the request path reads: the options of the 503, or undefined to pass.
  let shedding = errorOptionsOf(current);

  function judge(eventLoopDelay: number, eventLoopUtilization: number): LoadSheddingStatus {
    const { heapUsed, rss } = process.memoryUsage();
    const readings: Readings = {
      eventLoopDelay,
      eventLoopUtilization,
      heapUsedBytes: heapUsed,
      rssBytes: rss,
    };
    const exceeded = limits.filter(([name, limit]) => readings[READING[name]] > limit).map(([name]) => name);
    return Object.freeze({
      underPressure: exceeded.length > 0,
      ...readings,
      exceeded: Object.freeze(exceeded),
    });
  }

  function errorOptionsOf(status: LoadSheddingStatus): RetryableErrorOptions | undefined {
    if (!status.underPressure) return undefined;
    return Object.freeze({
      retryAfter,
      detail,
      message: `loadShedding(): exceeded ${status.exceeded.join(', ')}`,
    });
  }

  function sample(): void {
    const now = performance.now();
    const lateness = now - sampledAt - sampleInterval;
    sampledAt = now;
    // How late this timer ran counts too: a stall that ended just now may not be
    // in the histogram yet, and the histogram drops its first delta after a reset.
    const mean = histogram !== undefined && histogram.count > 0 ? histogram.mean / 1e6 - RESOLUTION : 0;
    histogram?.reset();
    const total = performance.eventLoopUtilization();
    const { utilization: used } = performance.eventLoopUtilization(total, utilization);
    utilization = total;
    current = judge(Math.max(0, mean, lateness), used);
    shedding = errorOptionsOf(current);
  }

  const timer = setInterval(sample, sampleInterval);
  // Measuring must never be what keeps the process alive.
  timer.unref();

  const guard = checkingGuard(function loadSheddingCheck() {
    return shedding === undefined ? undefined : refusal(new ServiceUnavailable(shedding));
  });
  return Object.assign(guard, {
    status: () => current,
    close: () => {
      clearInterval(timer);
      histogram?.disable();
      shedding = undefined;
      current = Object.freeze({ ...current, underPressure: false });
    },
  });
}
