import type { ServiceUnavailable } from '../errors/classes';
import { showValue } from '../misuse/show-value';
import { usageError } from '../misuse/usage-error';
import type { DrainSettings } from './drain-options';
import { type Closer, drainState, type DrainStatus } from './drain-state';

// Typed by shape rather than imported from node:http, so Koa's and Fastify's
// glue (which may not load node:http) share these rules with the Node guard.

/** An HTTP/2 session, as the compatibility API's response reaches it. */
interface Http2SessionLike {
  close(): void;
  destroy(): void;
  once(event: 'close', listener: () => void): unknown;
}

/** What drain() uses of a `node:http` response, or of the HTTP/2 compatibility one. */
export interface NodeResponse {
  readonly headersSent: boolean;
  setHeader(name: string, value: string): unknown;
  once(event: 'close', listener: () => void): unknown;
  /** Only the HTTP/2 compatibility response has a stream, and through it the session. */
  readonly stream?: { readonly session?: Http2SessionLike | undefined };
}

/**
 * A server `drain().close()` can close: what `http.createServer()`,
 * `https.createServer()`, Express's and Koa's `listen()` return, and Node's
 * HTTP/2 servers (whose idle sessions only Node 24 closes by itself).
 */
export interface DrainableServer {
  close(callback?: (err?: Error) => void): unknown;
  closeIdleConnections?(): void;
  closeAllConnections?(): void;
}

/** The drain of a server whose responses are `node:http`'s: Express, Connect, Koa and Fastify alike. */
export interface NodeDrain {
  /** Counts `res` in flight until it closes; `true` to serve the request, `false` to refuse it. */
  admit(res: NodeResponse): boolean;
  /** The error every refused request is answered with. */
  readonly refusal: ServiceUnavailable;
  status(): DrainStatus;
  close(server: DrainableServer): Promise<void>;
}

/**
 * The drain rules applied to `node:http` responses and servers: `Connection:
 * close` (HTTP/2: a GOAWAY) on every response that can still carry it once
 * draining starts; `server.close()` to stop accepting, which closes the idle
 * connections; the connections of responses whose head went out earlier
 * closed as soon as they are idle; `closeAllConnections()` after `grace`.
 *
 * @example
 * const draining = nodeDrain(parseDrainOptions(options));
 * const guard = (req, res, next) => (draining.admit(res) ? next() : next(draining.refusal));
 */
export function nodeDrain(settings: DrainSettings): NodeDrain {
  // HTTP/2 sessions are not the server's to enumerate before Node 24: these are
  // the ones a request came through, which a GOAWAY can close.
  const sessions = new Set<Http2SessionLike>();
  const state = drainState<NodeResponse>(settings, closeAfter);
  function ended(this: NodeResponse): void {
    state.end(this);
  }

  function closeAfter(res: NodeResponse): void {
    const session = res.stream?.session;
    // A GOAWAY lets the open streams finish and starts no new one; HTTP/2 has
    // no Connection header (RFC 9113 §8.2.2), and Node throws on one.
    if (session !== undefined) session.close();
    else if (!res.headersSent) res.setHeader('Connection', 'close');
  }

  function closer(server: DrainableServer): Closer {
    return {
      stop: () =>
        new Promise((resolve) => {
          // Since Node 19, close() also closes the idle connections; an error
          // (the server was not listening) means there is nothing left to close.
          server.close(() => resolve(undefined));
          for (const session of sessions) session.close();
        }),
      idle: () => server.closeIdleConnections?.(),
      destroy: () => {
        server.closeAllConnections?.();
        for (const session of sessions) session.destroy();
      },
    };
  }

  return {
    admit(res) {
      const session = res.stream?.session;
      if (session !== undefined && !sessions.has(session)) {
        sessions.add(session);
        session.once('close', () => sessions.delete(session));
      }
      res.once('close', ended);
      return state.begin(res);
    },
    refusal: settings.refusal,
    status: state.status,
    close(server) {
      if (typeof (server as Partial<DrainableServer> | null | undefined)?.close !== 'function') {
        return Promise.reject(
          usageError(
            TypeError,
            'ERR_SERVER_ERRORS_INVALID_OPTION',
            `drain().close(server): server must be the node:http, node:https or HTTP/2 server that listen() returned; received ${showValue(server)}.`,
          ),
        );
      }
      return state.close(closer(server));
    },
  };
}
