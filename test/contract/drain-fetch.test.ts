import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { serverErrors } from '../../src/fetch';
import { drain } from '../../src/fetch/drain';
import { describeDrain } from './drain';

const servers: Server[] = [];

/**
 * A fetch runtime's listener, as Bun's `Bun.serve` behaves, on node:http: each
 * request handed to `fetch` as a `Request` (its signal aborting when the
 * client goes), the `Response` written back, its body streamed; `stop(force)`
 * stops accepting (and closes the idle connections), `force` closes the rest.
 */
async function serveFetch(fetch: (request: Request) => Promise<Response>) {
  const server = createServer((req, res) => void answer(fetch, req, res));
  servers.push(server);
  // Node's own keep-alive timeout must not be what closes a connection here.
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const closed = new Promise<void>((resolve) => server.once('close', resolve));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: (force: boolean) => {
      if (force) server.closeAllConnections();
      else server.close();
      return closed;
    },
  };
}

async function answer(
  fetch: (request: Request) => Promise<Response>,
  req: IncomingMessage,
  res: ServerResponse,
) {
  const controller = new AbortController();
  res.once('close', () => controller.abort());
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers.set(name, value);
  }
  const response = await fetch(
    new Request(`http://127.0.0.1${req.url ?? '/'}`, {
      method: req.method ?? 'GET',
      headers,
      signal: controller.signal,
    }),
  );
  response.headers.forEach((value, name) => res.setHeader(name, value));
  res.writeHead(response.status);
  if (response.body !== null) for await (const chunk of response.body) res.write(chunk);
  res.end();
}

const encoder = new TextEncoder();

describeDrain('the fetch adapter around a fetch handler, on a Bun-like listener', {
  start: async (options, { hold }) => {
    const draining = drain(options);
    const handle = serverErrors({ log: false });
    const listener = await serveFetch(
      draining.wrap(async (request) => {
        const { pathname } = new URL(request.url);
        if (pathname === '/fast') return new Response('ok');
        if (pathname === '/slow') {
          await hold();
          return new Response('slow');
        }
        if (pathname === '/stream') {
          const body = new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(encoder.encode('first'));
              void hold().then(() => {
                controller.enqueue(encoder.encode('last'));
                controller.close();
              });
            },
          });
          return new Response(body);
        }
        return new Promise<Response>(() => undefined);
      }, handle),
    );
    let received = 0;
    listener.server.on('request', () => received++);
    return {
      url: listener.url,
      close: () => draining.close(listener.stop),
      status: draining.status,
      received: () => received,
    };
  },
  dispose: async () => {
    await Promise.all(
      servers.splice(0).map((server) => {
        server.closeAllConnections();
        return new Promise<void>((resolve) => server.close(() => resolve()));
      }),
    );
  },
  // The runtime owns the connections: a Response's head goes out when it is
  // returned, and closing the connection after a streamed body is the runtime's.
  skip: ['head-sent'],
});
