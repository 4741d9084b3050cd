import { isServerError } from '../errors/server-error';
import type { ErrorLogger } from '../options';

/**
 * The default logger where there is no stderr to write to: one `console.error`
 * per failure, the line first and the error itself second, so the runtime
 * shows its stack and causes as it shows any error. A catalog error thrown on
 * purpose, without a cause, is a decision: its name and message say it all.
 */
export const logToConsole: ErrorLogger<unknown> = ({ status, method, path, traceId, err }) => {
  const line = `serverErrors: ${status} ${method} ${path}${traceId === undefined ? '' : ` [${traceId}]`}`;
  try {
    if (isServerError(err) && err.status !== 500 && err.cause === undefined) {
      console.error(`${line} ${err.name}: ${err.message}`);
      return;
    }
  } catch {
    // A thrown value whose members throw is shown as it is.
  }
  console.error(line, err);
};
