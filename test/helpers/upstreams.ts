import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { connect, createServer as createNetServer, type Server, type Socket } from 'node:net';

/** Real upstreams on 127.0.0.1 that fail the ways gateways meet: each `url` is ready once `start` resolves. */
export interface Upstream {
  readonly url: string;
  /** Closes the server and every connection still open on it. */
  close(): Promise<void>;
}

/** Listens on a free port of 127.0.0.1 and returns it. */
export async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}

/** Closes a server without waiting for keep-alive or stalled connections. */
export async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
  const closed = once(server, 'close');
  server.close();
  await closed;
}

async function upstream(server: Server): Promise<Upstream> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await closeServer(server);
    },
  };
}

/** A port on 127.0.0.1 where nothing listens: connecting is refused (ECONNREFUSED). */
export async function refusingUpstream(): Promise<Upstream> {
  const server = createNetServer();
  const port = await listen(server);
  await closeServer(server);
  return { url: `http://127.0.0.1:${port}`, close: async () => undefined };
}

/**
 * An upstream that drops the connection when the request arrives: `'close'`
 * ends it cleanly (FIN, "other side closed"), `'reset'` aborts it (RST, ECONNRESET).
 */
export function resettingUpstream(how: 'close' | 'reset'): Promise<Upstream> {
  return upstream(
    createNetServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => (how === 'reset' ? socket.resetAndDestroy() : socket.destroy()));
    }),
  );
}

/** An upstream that answers `response` as raw bytes, such as a response that is not HTTP. */
export function rawUpstream(response: string): Promise<Upstream> {
  return upstream(
    createNetServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => socket.end(response));
    }),
  );
}

/** An HTTP upstream with the given handler. */
export function httpUpstream(handler: RequestListener): Promise<Upstream> {
  return upstream(createHttpServer(handler));
}

/** An upstream that reads the request and never answers. */
export function silentUpstream(): Promise<Upstream> {
  return httpUpstream(() => undefined);
}

/** An upstream that sends 200 and the first byte of a 10-byte body, then nothing more. */
export function bodyStallingUpstream(): Promise<Upstream> {
  return httpUpstream((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '10' });
    res.write('x');
  });
}

// A child process listens with a backlog of one and then blocks its event loop,
// so it never accepts: once the kernel's accept queue is full, new SYNs are
// dropped and a connect attempt times out, for real, on loopback (Linux).
const BLOCKED_LISTENER = `
const net = require('node:net');
const fs = require('node:fs');
const server = net.createServer();
server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  fs.writeSync(1, server.address().port + '\\n');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30000);
  process.exit(0);
});
`;

/** An upstream whose connection cannot even be established: connecting times out. */
export async function unreachableUpstream(): Promise<Upstream> {
  const child: ChildProcess = spawn(process.execPath, ['-e', BLOCKED_LISTENER], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  const port = Number(String(chunk).trim());
  const fillers: Socket[] = [];
  // Fill the accept queue until a connection no longer completes.
  for (let i = 0; i < 16; i++) {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    fillers.push(socket);
    const connected = await Promise.race([
      once(socket, 'connect').then(() => true),
      new Promise<boolean>((resolve) => setTimeout(resolve, 200, false)),
    ]);
    if (!connected) break;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of fillers) socket.destroy();
      const exited = once(child, 'exit');
      child.kill();
      await exited;
    },
  };
}
