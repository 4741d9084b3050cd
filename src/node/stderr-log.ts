import { inspect } from 'node:util';

import { isServerError } from '../errors/server-error';
import type { ErrorLogger } from '../options';
import { CauseChain } from '../util/read-once';

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
    const chain = new CauseChain(err);
    for (let depth = 1, link = chain.at(1); link !== undefined; link = chain.at(++depth)) {
      const cause = link.value;
      const stack = cause instanceof Error ? cause.stack : undefined;
      text += `\n[cause]: ${stack ?? inspect(cause, { depth: 2, breakLength: Infinity })}`;
      // What is not an Error has no cause of its own to show.
      if (!(cause instanceof Error)) break;
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
export const logToStderr: ErrorLogger<unknown> = ({ status, method, path, traceId, err }) => {
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
