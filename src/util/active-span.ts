/** The part of an OpenTelemetry span the pipeline uses (the API's `Span`, structurally). */
export interface ActiveSpan {
  spanContext(): { readonly traceId: string; readonly spanId: string; readonly traceFlags: number };
  setStatus(status: { readonly code: number }): unknown;
  setAttribute(key: string, value: string): unknown;
  recordException(exception: {
    readonly name: string;
    readonly message: string;
    readonly stack?: string;
  }): unknown;
}

// @opentelemetry/api keeps its registrations on globalThis under this key, so
// that every copy of the API a process loads shares them: it is the API's own
// contract between versions. Reading it needs no import, so the package never
// requires the API, never bundles it, and works with whichever copy the app set up.
const API = Symbol.for('opentelemetry.js.api.1');
// The API's context key of the active span (createContextKey uses Symbol.for).
const SPAN = Symbol.for('OpenTelemetry Context Key SPAN');
const HEX_32 = /^[0-9a-f]{32}$/;
const HEX_16 = /^[0-9a-f]{16}$/;
const ZEROS = /^0+$/;

interface Registry {
  readonly context?: { active?(): { getValue?(key: symbol): unknown } | undefined };
}

/**
 * The span of the current OpenTelemetry context, when an SDK is set up and its
 * context is valid; else `undefined`. Never throws: a broken registration
 * counts as none.
 */
export function activeSpan(): ActiveSpan | undefined {
  try {
    const registry = (globalThis as Record<symbol, Registry | undefined>)[API];
    const span = registry?.context?.active?.()?.getValue?.(SPAN) as ActiveSpan | undefined;
    if (typeof span?.spanContext !== 'function') return undefined;
    const { traceId, spanId } = span.spanContext();
    // W3C Trace Context §3.2.2.3: all-zero ids are invalid (a non-recording span's).
    const valid = HEX_32.test(traceId) && !ZEROS.test(traceId) && HEX_16.test(spanId) && !ZEROS.test(spanId);
    return valid ? span : undefined;
  } catch {
    return undefined;
  }
}
