import { snapshot } from './classify/classify';
import type { Snapshot } from './classify/classified';
import { NO_HEADERS } from './http/headers';
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

  function answer(
    snap: Snapshot,
    thrown: unknown,
    facts: RequestFacts,
    req: Req,
    traceId: string | undefined,
  ) {
    const plan = settings.plan(snap.status);
    let problem = describeProblem(snap, plan, facts.path);
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
      format: negotiate(typeof accept === 'string' ? accept : undefined),
      problem: finalize(problem),
      debug: snap.debug,
      method: facts.method,
      http2: facts.http2,
    });
  }

  /** The answer when building the full one failed: nothing but the status, its problem and the trace id. */
  function bare(status: number, facts: RequestFacts, traceId: string | undefined): ResponsePlan {
    const plan = settings.plan(status);
    const problem: Problem = describeProblem({ status }, plan, facts.path);
    if (traceId !== undefined) problem.traceId = traceId;
    return respond({
      plan,
      headers: NO_HEADERS,
      format: negotiate(undefined),
      problem: finalize(problem),
      debug: undefined,
      method: facts.method,
      http2: facts.http2,
    });
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
    const snap = snapshot(thrown, settings, facts.clientGone);
    const traceId = settings.traceId?.(req, facts);
    if (write !== undefined && !facts.clientGone) {
      let plan: ResponsePlan;
      try {
        plan = answer(snap, thrown, facts, req, traceId);
      } catch {
        plan = bare(snap.status, facts, traceId);
      }
      try {
        write(plan);
      } catch {
        // The writer did what it could; the log still records the failure.
      }
    }
    log(snap, thrown, facts, req, traceId);
    return snap.status;
  };
}

function reporter(): Report {
  const once = warnOnce();
  return (hook, failure) =>
    once(hook, `serverErrors(): the ${hook} function threw: ${reasonOf(failure)}`, WARNING_CODES[hook]);
}

const WARNING_CODES = { log: 'SERVER_ERRORS_LOG', customize: 'SERVER_ERRORS_CUSTOMIZE' } as const;
