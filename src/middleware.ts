import type { IncomingMessage, ServerResponse } from 'node:http';

import { type Classified, classify } from './classify';
import { type ServerErrorsOptions, parseOptions, type Settings } from './options';
import { describe, serialize } from './problem';
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
  const log = logger(settings);
  return function serverErrorsHandler(err, req, res, next) {
    handle(settings, log, err, req, res, next);
  };
}

function requestPath(req: IncomingMessage): string {
  const url = (req as { originalUrl?: unknown }).originalUrl ?? req.url;
  if (typeof url !== 'string') return '/';
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

type Log = (status: number, err: unknown, req: IncomingMessage, path: string) => void;

function handle(
  settings: Settings,
  log: Log,
  thrown: unknown,
  req: IncomingMessage,
  res: ServerResponse,
  next: ((err?: unknown) => void) | undefined,
): void {
  const classified = classify(thrown, settings.rules, settings.codes);
  const path = requestPath(req);
  if (res.headersSent) {
    // Too late for a problem response: Express's final handler closes the connection.
    log(classified.status, thrown, req, path);
    if (next) next(thrown);
    else res.destroy();
    return;
  }
  if (!res.destroyed && !res.writableEnded) respond(settings, classified, req, res, path);
  log(classified.status, thrown, req, path);
}

function respond(
  settings: Settings,
  classified: Classified,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): void {
  const plan = settings.plan(classified.status);
  try {
    write(req, res, plan, classified.headers, serialize(describe(classified, plan, path)));
  } catch {
    // An error whose own members throw still gets its status, with the bare problem.
    try {
      if (!res.headersSent)
        write(req, res, plan, undefined, serialize(describe({ status: plan.status }, plan, path)));
    } catch {
      // Nothing more can be done for this response; the log still records it.
    }
  }
}

/** The 5xx logger of one middleware; a log function that throws is reported once, never rethrown. */
function logger(settings: Settings): Log {
  let warned = false;
  return (status, err, req, path) => {
    if (status < 500 || settings.log === undefined) return;
    try {
      settings.log({ status, method: req.method ?? 'GET', path, err }, req);
    } catch (failure) {
      if (warned) return;
      warned = true;
      process.emitWarning(
        `serverErrors(): the log function threw: ${String((failure as Error | undefined)?.message ?? failure)}`,
        { code: 'SERVER_ERRORS_LOG' },
      );
    }
  };
}
