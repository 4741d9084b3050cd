import type { IncomingMessage, ServerResponse } from 'node:http';

import { type Classified, classify } from './classify';
import { debugInfo } from './debug-info';
import { isRefusal } from './guard';
import { negotiate } from './negotiate';
import { type ServerErrorsOptions, parseOptions, type Settings } from './options';
import { describe, enforceInvariants, type Problem, withDiagnostics } from './problem';
import type { DebugInfo } from './render';
import { requestPath } from './request-path';
import { write } from './write';

/** A Connect/Express error handler (four parameters: Express picks error handlers by arity). */
export type ServerErrorsHandler = (
  err: unknown,
  req: IncomingMessage,
  res: ServerResponse,
  next?: (err?: unknown) => void,
) => void;

/**
 * Creates the error handler. Add it after your routes; from then on anything a
 * route throws (or passes to `next`) becomes an RFC 9457 problem response with
 * the right status and headers, and a 5xx never shows its message or stack.
 * Options are checked here, once: a wrong one throws at start-up.
 *
 * @example
 * app.get('/report', () => { throw new ServiceUnavailable(120) });
 * app.use(serverErrors());
 */
export function serverErrors(options?: ServerErrorsOptions): ServerErrorsHandler {
  const settings = parseOptions(options);
  const report = reporter();
  const logged = new WeakSet<ServerResponse>();
  return function serverErrorsHandler(err, req, res, next) {
    handle(settings, report, logged, err, req, res, next);
  };
}

/** Reports a failure of a user hook (log, customize) once per middleware, never rethrowing it. */
type Report = (hook: 'log' | 'customize', failure: unknown) => void;

function reporter(): Report {
  const reported = new Set<string>();
  return (hook, failure) => {
    if (reported.has(hook)) return;
    reported.add(hook);
    let reason: string;
    try {
      reason = String((failure as Error | undefined)?.message ?? failure);
    } catch {
      reason = 'an unprintable value';
    }
    process.emitWarning(`serverErrors(): the ${hook} function threw: ${reason}`, {
      code: `SERVER_ERRORS_${hook.toUpperCase()}`,
    });
  };
}

function handle(
  settings: Settings,
  report: Report,
  logged: WeakSet<ServerResponse>,
  thrown: unknown,
  req: IncomingMessage,
  res: ServerResponse,
  next: ((err?: unknown) => void) | undefined,
): void {
  const classified = classify(thrown, settings.rules, settings.codes);
  const path = requestPath(req);
  const traceId = settings.traceId?.(req);
  if (res.headersSent) {
    log(settings, report, logged, classified.status, thrown, req, res, path, traceId);
    // A response already complete (a timeout answered it, the route threw after
    // sending) is left alone, so a keep-alive connection survives; one cut off
    // half-way can only be closed, which Express's final handler does.
    if (res.writableEnded) return;
    if (next) next(thrown);
    else res.destroy();
    return;
  }
  if (!res.destroyed && !res.writableEnded)
    respond(settings, report, classified, thrown, req, res, path, traceId);
  log(settings, report, logged, classified.status, thrown, req, res, path, traceId);
}

function respond(
  settings: Settings,
  report: Report,
  classified: Classified,
  thrown: unknown,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  traceId: string | undefined,
): void {
  const plan = settings.plan(classified.status);
  const format = negotiate(req);
  try {
    let problem = describe(classified, plan, path);
    if (traceId !== undefined) problem.traceId = traceId;
    let debug: DebugInfo | undefined;
    if (settings.debug) {
      debug = debugInfo(thrown);
      withDiagnostics(problem, debug);
    }
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
    write(req, res, plan, classified.headers, format, problem, debug);
  } catch {
    // An error whose own members throw still gets its status, with the bare problem.
    try {
      if (res.headersSent) return;
      const problem: Problem = describe({ status: plan.status }, plan, path);
      if (traceId !== undefined) problem.traceId = traceId;
      write(req, res, plan, undefined, format, problem, undefined);
    } catch {
      // Nothing more can be done for this response; the log still records it.
    }
  }
}

function log(
  settings: Settings,
  report: Report,
  logged: WeakSet<ServerResponse>,
  status: number,
  err: unknown,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  traceId: string | undefined,
): void {
  if (status < 500 || settings.log === undefined || isRefusal(err)) return;
  // One failure per response: timeout() aborts the route's fetch with the error
  // it answered, and the route passing that on again is not a second failure.
  if (logged.has(res)) return;
  logged.add(res);
  try {
    const method = req.method ?? 'GET';
    settings.log(
      traceId === undefined ? { status, method, path, err } : { status, method, path, traceId, err },
      req,
    );
  } catch (failure) {
    report('log', failure);
  }
}
