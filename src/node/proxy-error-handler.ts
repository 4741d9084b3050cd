import type { EventEmitter } from 'node:events';
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

import { GatewayTimeout, NetworkReadTimeout } from '../errors/classes';
import { serverErrors } from './middleware';
import type { ServerErrorsOptions } from './options';
import { warnOnce } from '../misuse/warnings';

/**
 * An http-proxy-middleware `on.error` callback that answers with the
 * `serverErrors()` pipeline, carrying a {@link ProxyErrorHandler.plugin} that
 * tells timeouts apart.
 */
export interface ProxyErrorHandler {
  (err: unknown, req: IncomingMessage, res: ServerResponse | Socket, target?: unknown): void;
  /**
   * Add it to `plugins` next to `on: { error }`: it notes when `proxyTimeout`
   * fires, so that timeout answers 504 instead of the 502 of the reset it looks
   * like, and it closes the client's connection when the upstream dies half-way
   * through a body, which http-proxy would otherwise leave waiting.
   */
  readonly plugin: (proxyServer: EventEmitter) => void;
}

const warnNotCalled = warnOnce();

/**
 * Creates the error handler of an http-proxy-middleware proxy: a failed
 * upstream gets the same problem+json answer as anything `serverErrors()`
 * handles, instead of the proxy's plain text. A refused, reset or unresolvable
 * upstream, or an invalid response, answers 502; `proxyTimeout` firing answers
 * 504 (598 with `nonStandard`) when the `plugin` is installed. A WebSocket
 * upgrade has no response to write to: its socket is closed.
 *
 * Takes the options of `serverErrors()` (`map`, `log`, `types`, `nonStandard`, …)
 * and checks them at once, reporting a wrong one as `serverErrors()` does.
 * Defaults to `serverErrors()`'s defaults.
 *
 * @example
 * const onProxyError = proxyErrorHandler();
 * app.use('/api', createProxyMiddleware({
 *   target: 'http://orders.internal:4000',
 *   proxyTimeout: 5000,
 *   on: { error: onProxyError },
 *   plugins: [onProxyError.plugin],
 * }));
 */
export function proxyErrorHandler(options?: ServerErrorsOptions): ProxyErrorHandler;
export function proxyErrorHandler(options?: ServerErrorsOptions, ...misused: unknown[]): ProxyErrorHandler {
  // `on: { error: proxyErrorHandler }` without the call: http-proxy calls it with
  // (err, req, res). A throw would escape from an event listener and end the
  // process, so this answers the request and explains instead.
  if (misused.length > 0) {
    warnNotCalled(
      'proxyErrorHandler',
      'proxyErrorHandler received a proxy error instead of options: it looks like you wrote ' +
        'on: { error: proxyErrorHandler }. Call it to get the handler: on: { error: proxyErrorHandler() }.',
      'SERVER_ERRORS_NOT_CALLED',
    );
    const handler = proxyErrorHandler();
    handler(options, misused[0] as IncomingMessage, misused[1] as ServerResponse | Socket);
    return handler;
  }
  const handle = serverErrors(options);
  // proxyTimeout is a socket idle timeout that starts once the upstream
  // connection is up, so it is a read timeout.
  const Timeout = options?.nonStandard === true ? NetworkReadTimeout : GatewayTimeout;
  const timedOut = new WeakSet<IncomingMessage>();

  const upstreamError = (err: unknown, req: IncomingMessage): unknown => {
    // Otherwise classify() knows the proxy's errors: refused, reset, invalid response.
    return timedOut.has(req) ? new Timeout({ cause: err }) : err;
  };

  const handler = (err: unknown, req: IncomingMessage, res: ServerResponse | Socket): void => {
    if (typeof (res as Partial<ServerResponse>).setHeader !== 'function') {
      res.destroy();
      return;
    }
    handle(upstreamError(err, req), req, res as ServerResponse);
  };

  const plugin = (proxyServer: EventEmitter): void => {
    proxyServer.on('proxyReq', (proxyReq: ClientRequest, req: IncomingMessage) => {
      proxyReq.once('timeout', () => timedOut.add(req));
    });
    proxyServer.on('proxyRes', (proxyRes: IncomingMessage, req: IncomingMessage, res: ServerResponse) => {
      // http-proxy 1.x pipes the upstream body without watching it: when the
      // upstream stops half-way, nothing ends the client's response.
      proxyRes.once('error', (err) => {
        if (!res.destroyed) handle(upstreamError(err, req), req, res);
      });
    });
  };

  return Object.assign(handler, { plugin });
}
