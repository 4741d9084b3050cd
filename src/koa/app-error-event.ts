import { types } from 'node:util';

import type { Context } from 'koa';

import type { ErrorLogger } from '../options';
import { showValue } from '../misuse/show-value';
import { safeInstanceOf } from '../util/safe-get';

/**
 * The default logger, Koa's convention: the app's `error` event with the error
 * and the context, so Koa's own `app.onerror` (the stack on stderr, unless the
 * app is `silent`) or the app's listeners report it, once per 5xx. Koa's
 * `onerror` refuses anything but an Error, so what is not one goes out wrapped
 * as Koa wraps it, the value as `cause`.
 *
 * @example
 * app.on('error', (err, ctx) => logger.error({ err, path: ctx.path }));
 */
export const emitOnApp: ErrorLogger<Context> = ({ err }, ctx) => {
  ctx.app.emit('error', asError(err), ctx);
};

function asError(err: unknown): Error {
  // isNativeError first: it sees Errors of other realms, and never runs a Proxy's traps.
  if (types.isNativeError(err) || safeInstanceOf(err, Error)) return err as Error;
  return new Error(`non-error thrown: ${showValue(err)}`, { cause: err });
}
