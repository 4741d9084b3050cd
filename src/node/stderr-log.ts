import type { IncomingMessage } from 'node:http';
import { inspect } from 'node:util';

import { isServerError } from '../errors/server-error';

/** What the middleware logs for each 5xx: one structured record, ready for pino and the like. */
export interface ErrorLogRecord {
  /** The status that was answered (or would have been, when headers were already sent). */
  readonly status: number;
  readonly method: string;
  /** The request path, without the query string (it may hold tokens). */
  readonly path: string;
  /** The problem's `traceId`, so the log line and the response can be matched; absent when turned off. */
  readonly traceId?: string;
  /** What was thrown, as thrown. */
  readonly err: unknown;
}

/** Receives one {@link ErrorLogRecord} per 5xx, and the request. */
export type ErrorLogger = (record: ErrorLogRecord, req: IncomingMessage) => void;

const MAX_CAUSES = 8;

/**
 * What the default log line says of the error. A catalog error thrown on
 * purpose, without a cause (`throw new ServiceUnavailable(120)`), is a decision,
 * not a bug: its name and message say it all, as NestJS treats its
 * HttpExceptions. Anything else, an unexpected 500 above all, gets its stack.
 */
function describeError(err: unknown): string {
  try {
    if (isServerError(err) && err.status !== 500 && err.cause === undefined)
      return `${err.name}: ${err.message}`;
    if (!(err instanceof Error)) return inspect(err, { depth: 2, breakLength: Infinity });
    let text = err.stack ?? String(err);
    // The cause chain, as far as it goes (a cycle ends at the limit).
    let cause: unknown = err.cause;
    for (let depth = 0; cause !== undefined && depth < MAX_CAUSES; depth++) {
      const stack = cause instanceof Error ? cause.stack : undefined;
      text += `\n[cause]: ${stack ?? inspect(cause, { depth: 2, breakLength: Infinity })}`;
      cause = cause instanceof Error ? cause.cause : undefined;
    }
    return text;
  } catch {
    return '[unprintable thrown value]';
  }
}

let pending: string[] | undefined;

function flush(): void {
  const lines = pending;
  pending = undefined;
  if (lines !== undefined) process.stderr.write(lines.join(''));
}

/**
 * The default logger: one line to stderr with status, method, path and trace id,
 * then the error (with its stack, unless it is a catalog error thrown on purpose).
 * Lines of one turn of the event loop go out in one write: under a burst of
 * failures a write per line would cost more than answering them. The lines
 * still pending when the process exits are written then.
 */
export const logToStderr: ErrorLogger = ({ status, method, path, traceId, err }) => {
  const trace = traceId === undefined ? '' : ` [${traceId}]`;
  const line = `serverErrors: ${status} ${method} ${path}${trace} ${describeError(err)}\n`;
  if (pending !== undefined) {
    pending.push(line);
    return;
  }
  pending = [line];
  setImmediate(flush);
  if (!flushesOnExit) {
    flushesOnExit = true;
    process.once('exit', flush);
  }
};

let flushesOnExit = false;
