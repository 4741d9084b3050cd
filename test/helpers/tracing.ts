import { context, propagation, ROOT_CONTEXT, type Span, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/**
 * A real OpenTelemetry SDK for a test: a tracer provider with an in-memory
 * exporter, Node's AsyncLocalStorage context manager and the W3C propagator,
 * registered globally as an app's setup would, and torn down by `stop()`.
 */
export function startTracing() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const tracer = provider.getTracer('server-errors-tests');
  return {
    tracer,
    /** The spans ended so far. */
    spans: (): ReadableSpan[] => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
    /**
     * Runs `fn` in a new server span continuing the request's `traceparent`,
     * as an HTTP instrumentation does, and ends the span when `end` is called.
     */
    serverSpan<T>(headers: Record<string, unknown>, fn: (span: Span) => T): T {
      const parent = propagation.extract(ROOT_CONTEXT, headers);
      const span = tracer.startSpan('HTTP request', { kind: SpanKind.SERVER }, parent);
      return context.with(trace.setSpan(parent, span), () => fn(span));
    },
    stop: async () => {
      await provider.shutdown();
      context.disable();
      trace.disable();
      propagation.disable();
    },
  };
}

export type Tracing = ReturnType<typeof startTracing>;
