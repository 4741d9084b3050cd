import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import createError from 'http-errors';

import { ServiceUnavailable } from '../../src/errors/classes';
import { startTracing, type Tracing } from '../helpers/tracing';
import type { ContractRequest, ContractResponse, Runtime } from './contract';

interface TracedCase {
  readonly name: string;
  readonly thrown: () => unknown;
  readonly check: (res: ContractResponse, span: ReadableSpan) => void;
}

const problemOf = (res: ContractResponse) => JSON.parse(res.body) as Record<string, unknown>;

/** What OpenTelemetry sees of an answer, the same on every runtime. */
export const TRACED_CASES: readonly TracedCase[] = [
  {
    name: 'marks a 5xx of ours on the active span: ERROR, error.type its class, the exception once',
    thrown: () => new ServiceUnavailable(30, { message: 'queue is full' }),
    check: (res, span) => {
      expect(res.status).toBe(503);
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expect(span.attributes['error.type']).toBe('ServiceUnavailable');
      expect(span.events.map((event) => [event.name, event.attributes?.['exception.message']])).toEqual([
        ['exception', 'queue is full'],
      ]);
    },
  },
  {
    name: 'gives a 5xx that is not ours its status as error.type',
    thrown: () => new TypeError('undefined is not a function'),
    check: (_res, span) => {
      expect(span.attributes['error.type']).toBe('500');
      expect(span.events[0]?.attributes?.['exception.type']).toBe('TypeError');
    },
  },
  {
    name: 'takes the trace id from the span and sends it as traceresponse',
    thrown: () => new TypeError('kaput'),
    check: (res, span) => {
      const { traceId, spanId } = span.spanContext();
      expect(problemOf(res).traceId).toBe(traceId);
      expect(res.headers.traceresponse).toBe(`00-${traceId}-${spanId}-01`);
    },
  },
  {
    name: 'leaves the span of a 4xx unmarked',
    thrown: () => createError(404, 'No such order.'),
    check: (res, span) => {
      expect(res.status).toBe(404);
      expect(span.status.code).toBe(SpanStatusCode.UNSET);
      expect(span.attributes['error.type']).toBeUndefined();
      expect(span.events).toEqual([]);
    },
  },
];

/**
 * Runs the traced table through one runtime: `start` builds its server with
 * `serverErrors()` and, first of all, what an HTTP instrumentation does: each
 * request handled inside `tracing.serverSpan(...)`, the span ended with the
 * response.
 */
export function describeTracedContract(name: string, start: (tracing: Tracing) => Promise<Runtime>) {
  describe(`OpenTelemetry on ${name}`, () => {
    let tracing: Tracing;
    let runtime: Runtime;
    beforeAll(async () => {
      tracing = startTracing();
      runtime = await start(tracing);
    });
    afterAll(async () => {
      await runtime.close();
      await tracing.stop();
    });

    it.each(TRACED_CASES.map((entry) => [entry.name, entry] as const))('%s', async (_name, entry) => {
      tracing.reset();
      const request: ContractRequest = { method: 'GET', path: '/contract', headers: {} };
      const res = await runtime.run(entry.thrown, request);
      let span: ReadableSpan | undefined;
      // The span ends with the response, which may come just after the client read it.
      for (let i = 0; i < 100 && span === undefined; i++) {
        span = tracing.spans().find((s) => s.kind === SpanKind.SERVER);
        if (span === undefined) await new Promise((resolve) => setImmediate(resolve));
      }
      if (span === undefined) throw new Error('no server span ended');
      entry.check(res, span);
    });
  });
}
