import type { IncomingMessage } from 'node:http';
import { inspect } from 'node:util';

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

function stackOf(err: unknown): string {
  try {
    if (err instanceof Error && typeof err.stack === 'string') return err.stack;
    return inspect(err, { depth: 2, breakLength: Infinity });
  } catch {
    return '[unprintable thrown value]';
  }
}

/** The default logger: one line to stderr with status, method and path, then the stack. */
export const logToStderr: ErrorLogger = ({ status, method, path, err }) => {
  process.stderr.write(`serverErrors: ${status} ${method} ${path} ${stackOf(err)}\n`);
};
