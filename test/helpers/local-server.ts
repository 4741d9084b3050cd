import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const open = new Set<Server>();

/** Serves `handler` on 127.0.0.1, on a free port, until {@link closeServers}. */
export async function listenLocally(handler: RequestListener): Promise<Server> {
  const server = createServer(handler);
  open.add(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/** The base URL of a server {@link listenLocally} started. */
export function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes every server {@link listenLocally} started, open connections included; for `afterEach`. */
export async function closeServers(): Promise<void> {
  const servers = [...open];
  open.clear();
  await Promise.all(
    servers.map((server) => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    }),
  );
}
