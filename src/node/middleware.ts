import type { IncomingMessage, ServerResponse } from 'node:http';

import { releaseResponse } from './late-writes';
import { parseOptions } from '../options';
import { createPipeline } from '../pipeline';
import type { ServerErrorsOptions } from './options';
import { nodeFacts } from './request-facts';
import { logToStderr } from './stderr-log';
import { writeResponse } from './write';

/** A Connect/Express error handler (four parameters: Express picks error handlers by arity). */
export type ServerErrorsHandler = (
  err: unknown,
  req: IncomingMessage,
  res: ServerResponse,
  next?: (err?: unknown) => void,
) => void;

let defaultHandler: ServerErrorsHandler | undefined;

const NODE_DEFAULTS = { log: logToStderr };

/**
 * Creates the error handler. Add it after your routes; from then on anything a
 * route throws (or passes to `next`) becomes an RFC 9457 problem response with
 * the right status and headers, and a 5xx never shows its message or stack.
 * Options are checked here, once: a wrong one throws at start-up. Installed
 * without the call, `app.use(serverErrors)`, it is the handler with the
 * default options.
 *
 * @example
 * app.get('/report', () => { throw new ServiceUnavailable(120) });
 * app.use(serverErrors());
 */
export function serverErrors(options?: ServerErrorsOptions): ServerErrorsHandler;
/** `app.use(serverErrors)`: Express calls it as the error handler with the default options. */
export function serverErrors(
  err: unknown,
  req: IncomingMessage,
  res: ServerResponse,
  next?: (err?: unknown) => void,
): void;
export function serverErrors(
  options?: unknown,
  req?: IncomingMessage,
  res?: ServerResponse,
  next?: (err?: unknown) => void,
): ServerErrorsHandler | void {
  // Four declared parameters, so Express and Connect take the uncalled factory
  // for an error handler too: it is then called with the error first.
  if (req !== undefined && res !== undefined) {
    defaultHandler ??= serverErrors();
    defaultHandler(options, req, res, next);
    return;
  }
  const handle = createPipeline<IncomingMessage>(parseOptions(options, NODE_DEFAULTS));
  return function serverErrorsHandler(err, req, res, next) {
    // After timeout()'s deadline the answer is the deadline's error, whatever
    // the route's aborted call rejected with.
    const claim = releaseResponse(res);
    const thrown = claim === undefined ? err : claim.error;
    const facts = nodeFacts(req, res);
    if (res.headersSent) {
      handle(thrown, facts, req);
      // A response already complete (a timeout answered it, the route threw after
      // sending) is left alone, so a keep-alive connection survives; one cut off
      // half-way can only be closed, which Express's final handler does.
      if (res.writableEnded) return;
      if (next) next(err);
      else res.destroy();
      return;
    }
    handle(thrown, facts, req, res.writableEnded ? undefined : (plan) => writeResponse(req, res, plan));
  };
}
