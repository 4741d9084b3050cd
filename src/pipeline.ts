import { snapshot } from './classify/classify';
import type { Snapshot } from './classify/classified';
import { checkHeader, NO_HEADERS } from './http/headers';
import { negotiate } from './render/negotiate';
import type { ErrorLogRecord, Settings } from './options';
import {
  describeProblem,
  enforceInvariants,
  finalize,
  type Problem,
  withDiagnostics,
} from './describe/problem';
import { respond, type ResponsePlan } from './render/response';
import type { RequestHeaders } from './describe/trace-id';
import { reasonOf, warnOnce } from './misuse/warnings';
import { type ActiveSpan, activeSpan } from './util/active-span';

/** What the pipeline needs to know of a request, whatever the runtime it arrived through. */
export interface RequestFacts {
  readonly method: string;
  /** The path the client asked for, without query or fragment (a query may hold tokens). */
  readonly path: string;
  /** The request's headers by lower-case name; the pipeline reads `accept`, `traceparent` and `x-request-id`. */
  readonly headers: RequestHeaders;
  /** HTTP/2 or later, which has no reason phrase. */
  readonly http2: boolean;
  /** The client has gone: nothing can be delivered to it. */
  readonly clientGone: boolean;
  /** The id the app already gave the request: a request-id middleware's `X-Request-Id` on the response. */
  readonly appRequestId?: string | undefined;
  /**
   * The answer is made once for many requests (admission's precomputed
   * refusal): it names no `instance`, since no one path is the occurrence.
   */
  readonly shared?: boolean;
}

/**
 * Answers one error: reads the thrown value once, builds the response plan and
 * hands it to `write` (when given and the client is still there), then logs a
 * 5xx once per request. Returns the status it answered (or would have). Never
 * throws.
 */
export type Handle<Req extends object> = (
  thrown: unknown,
  facts: RequestFacts,
  req: Req,
  write?: (plan: ResponsePlan) => void,
) => number;

/** Reports a failure of a user hook (log, customize) once per pipeline, never rethrowing it. */
type Report = (hook: 'log' | 'customize', failure: unknown) => void;

/**
 * The pipeline every runtime runs: classify (the snapshot) → describe (the
 * problem, its trace id, the diagnostics, `customize`) → respond (the response
 * plan) → the runtime's writer → the log. It knows nothing of `node:http`, of
 * `Request` or of any framework: writers apply what it decides.
 */
export function createPipeline<Req extends object>(settings: Settings<Req>): Handle<Req> {
  const report = reporter();
  const logged = new WeakSet<object>();
  const marked = new WeakSet<object>();

  function answer(snap: Snapshot, thrown: unknown, facts: RequestFacts, req: Req, trace: Trace) {
    const { traceId } = trace;
    const plan = settings.plan(snap.status);
    let problem = describeProblem(snap, plan, facts.shared === true ? undefined : facts.path);
    if (traceId !== undefined) problem.traceId = traceId;
    if (snap.debug !== undefined) withDiagnostics(problem, snap.debug);
    if (settings.customize !== undefined) {
      try {
        problem = enforceInvariants(
          settings.customize(problem, { err: thrown, req }) ?? problem,
          plan,
          problem,
        );
      } catch (failure) {
        report('customize', failure);
      }
    }
    const { accept } = facts.headers;
    return respond({
      plan,
      headers: snap.headers,
      traceHeader: trace.header,
      format: negotiate(typeof accept === 'string' ? accept : undefined),
      problem: finalize(problem),
      debug: snap.debug,
      method: facts.method,
      http2: facts.http2,
    });
  }

  /** The answer when building the full one failed: nothing but the status, its problem and the trace id. */
  function bare(status: number, facts: RequestFacts, trace: Trace): ResponsePlan {
    const plan = settings.plan(status);
    const problem: Problem = describeProblem(
      { status },
      plan,
      facts.shared === true ? undefined : facts.path,
    );
    if (trace.traceId !== undefined) problem.traceId = trace.traceId;
    return respond({
      plan,
      headers: NO_HEADERS,
      traceHeader: trace.header,
      format: negotiate(undefined),
      problem: finalize(problem),
      debug: undefined,
      method: facts.method,
      http2: facts.http2,
    });
  }

  /**
   * OpenTelemetry's HTTP conventions for a server span: a 5xx sets the status
   * to ERROR and `error.type`; the exception is recorded once as an event. A 4xx
   * and a client that went away (a cancellation, not an error) leave it alone.
   */
  function mark(span: ActiveSpan, snap: Snapshot, facts: RequestFacts, req: Req): void {
    if (snap.status < 500 || (facts.clientGone && snap.aborted) || marked.has(req)) return;
    marked.add(req);
    try {
      span.setStatus({ code: SPAN_STATUS_ERROR });
      span.setAttribute('error.type', snap.errorType);
      const { exception } = snap;
      if (exception !== undefined) {
        const { name, message, stack } = exception;
        span.recordException(stack === undefined ? { name, message } : { name, message, stack });
      }
    } catch {
      // A span that fails to record is no reason to fail the answer.
    }
  }

  function log(snap: Snapshot, err: unknown, facts: RequestFacts, req: Req, traceId: string | undefined) {
    // A refusal is the service working as configured; a client that went away
    // (its request aborted, its connection reset) is no server failure, and
    // logging it would page people for every closed browser tab.
    if (
      snap.status < 500 ||
      settings.log === undefined ||
      snap.refusal ||
      (facts.clientGone && snap.aborted)
    ) {
      return;
    }
    // One failure per request: timeout() aborts the route's fetch with the error
    // it answered, and the route passing that on again is not a second failure.
    if (logged.has(req)) return;
    logged.add(req);
    const { status } = snap;
    const { method, path } = facts;
    const record: ErrorLogRecord =
      traceId === undefined ? { status, method, path, err } : { status, method, path, traceId, err };
    try {
      settings.log(record, req);
    } catch (failure) {
      report('log', failure);
    }
  }

  return function handle(thrown, facts, req, write) {
    const span = settings.openTelemetry ? activeSpan() : undefined;
    const snap = snapshot(thrown, settings, { clientGone: facts.clientGone, exception: span !== undefined });
    const trace = traceOf(settings.traceId?.(req, facts, span?.spanContext().traceId), span);
    if (span !== undefined) mark(span, snap, facts, req);
    if (write !== undefined && !facts.clientGone) {
      let plan: ResponsePlan;
      try {
        plan = answer(snap, thrown, facts, req, trace);
      } catch {
        plan = bare(snap.status, facts, trace);
      }
      try {
        write(plan);
      } catch {
        // The writer did what it could; the log still records the failure.
      }
    }
    log(snap, thrown, facts, req, trace.traceId);
    return snap.status;
  };
}

// @opentelemetry/api's SpanStatusCode.ERROR.
const SPAN_STATUS_ERROR = 2;

/** The trace id of one answer, and the header that lets a client see it. */
interface Trace {
  readonly traceId: string | undefined;
  readonly header: readonly [string, string] | undefined;
}

const NO_TRACE: Trace = Object.freeze({ traceId: undefined, header: undefined });

/**
 * The trace id and its header. An id that is the active span's trace id goes
 * out as W3C Trace Context's `traceresponse` (`00-trace-id-span-id-flags`, Level
 * 2), which tracing tools read; any other (the request's or the app's
 * `X-Request-Id`, a new random id, the user's) as `X-Request-Id`, the header
 * request ids travel in. Either is checked like every header: an id that could
 * not be sent safely goes in the body only.
 */
function traceOf(traceId: string | undefined, span: ActiveSpan | undefined): Trace {
  if (traceId === undefined) return NO_TRACE;
  const context = span?.spanContext();
  const header: readonly [string, string] =
    context !== undefined && context.traceId === traceId
      ? [
          'traceresponse',
          `00-${traceId}-${context.spanId}-${(context.traceFlags & 0xff).toString(16).padStart(2, '0')}`,
        ]
      : ['X-Request-Id', traceId];
  return { traceId, header: 'value' in checkHeader(header[0], header[1]) ? header : undefined };
}

function reporter(): Report {
  const once = warnOnce();
  return (hook, failure) =>
    once(hook, `serverErrors(): the ${hook} function threw: ${reasonOf(failure)}`, WARNING_CODES[hook]);
}

const WARNING_CODES = { log: 'SERVER_ERRORS_LOG', customize: 'SERVER_ERRORS_CUSTOMIZE' } as const;
