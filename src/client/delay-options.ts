import * as z from 'zod/mini';

import { MAX_TIMER } from '../util/timers';

// Apart from retry-delay.ts, whose declarations users' compilers read: these
// carry zod's types, and zod is bundled, not a dependency.

/** The checks of `retryDelay`'s options, which `gatewayError` takes too. */
export const retryDelayShape = () => ({
  max: z.optional(z.number().check(z.gte(0), z.lte(MAX_TIMER))),
  jitter: z.optional(z.number().check(z.gte(0), z.lte(1))),
});

/** What each of {@link retryDelayShape} must be, in words, and that a null is not "no options". */
export const RETRY_DELAY_WORDS = {
  expected: {
    '': 'an object',
    max: `a number of milliseconds from 0 to ${MAX_TIMER}`,
    jitter: 'a number from 0 to 1',
  },
  numeric: new Set(['max', 'jitter']),
  nullIsNone: false,
} as const;
