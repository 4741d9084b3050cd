import { once } from 'node:events';
import { Agent, request as httpRequest, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';

import type { DrainOptions } from '../../src/lifecycle/drain-options';
import type { DrainStatus } from '../../src/lifecycle/drain-state';
import { flatHeaders } from '../helpers/http-client';
import { urlOf } from '../helpers/local-server';
import { waitFor } from '../helpers/wait-for';

/** What every runtime's drain app serves, and how the table holds its slow routes. */
export interface DrainRoutes {
  /**
   * Settles when the table lets the request go: `/slow` answers `slow` then;
   * `/stream` sends `first`, waits for it, then sends `last`. `/fast` answers
   * `ok` at once, and `/never` never answers.
   */
  readonly hold: () => Promise<void>;
}

/** A runtime's app, listening on 127.0.0.1, with `drain(options)` installed as that runtime wants it. */
export interface DrainApp {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The runtime's `draining.close(…)`. */
  readonly close: () => Promise<void>;
  readonly status: () => DrainStatus;
  /** How many requests the HTTP server has received (its `request` events). */
  readonly received: () => number;
}

/** A runtime under test: starts an app per test; `dispose` stops whatever the test left. */
export interface DrainRuntime {
  readonly start: (options: DrainOptions, routes: DrainRoutes) => Promise<DrainApp>;
  readonly dispose: () => Promise<void>;
  /** Cases the runtime cannot run, with the reason in the runner. */
  readonly skip?: readonly CaseName[];
}

/** A response as Node's client read it, or the connection-level failure it met instead. */
export type Outcome =
  | {
      readonly kind: 'answer';
      readonly status: number;
      readonly headers: Readonly<Record<string, string | undefined>>;
      readonly body: string;
      readonly reusedSocket: boolean;
    }
  | { readonly kind: 'failure'; readonly code: string; readonly reusedSocket: boolean };

// Generous: the machine may be busy with other suites. Nothing here measures speed.
const PATIENCE = 20_000;

const agents: Agent[] = [];
const sockets: Socket[] = [];

/**
 * The {@link DrainApp} of a Node server already listening on 127.0.0.1: its
 * keep-alive timeout raised, so that Node's own timeout is never what closes a
 * connection here, and its `request` events counted.
 */
export function drainAppOf(
  server: Server,
  draining: { close: (server: Server) => Promise<void>; status: () => DrainStatus },
): DrainApp {
  server.keepAliveTimeout = 60_000;
  let received = 0;
  server.on('request', () => received++);
  return {
    url: urlOf(server),
    close: () => draining.close(server),
    status: draining.status,
    received: () => received,
  };
}

/** A keep-alive client, as browsers and undici pool connections; destroyed after each test. */
export function keepAlive(maxSockets = 1): Agent {
  const agent = new Agent({ keepAlive: true, maxSockets });
  agents.push(agent);
  return agent;
}

/** One GET through `agent`; never rejects, and a request that hangs comes back as a failure. */
export function get(url: string, agent: Agent, onSocket?: (socket: Socket) => void): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { agent, timeout: PATIENCE }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        resolve({
          kind: 'answer',
          status: res.statusCode ?? 0,
          headers: flatHeaders(res.headers),
          body,
          reusedSocket: req.reusedSocket,
        }),
      );
      res.on('error', (err: NodeJS.ErrnoException) =>
        resolve({ kind: 'failure', code: err.code ?? err.message, reusedSocket: req.reusedSocket }),
      );
    });
    if (onSocket) req.once('socket', onSocket);
    req.on('timeout', () => req.destroy(Object.assign(new Error('hung'), { code: 'HUNG' })));
    req.on('error', (err: NodeJS.ErrnoException) =>
      resolve({ kind: 'failure', code: err.code ?? err.message, reusedSocket: req.reusedSocket }),
    );
    req.end();
  });
}

export function answer(outcome: Outcome) {
  if (outcome.kind !== 'answer') throw new Error(`expected an answer, got ${outcome.code}`);
  return outcome;
}

/** Destroys the agents and raw connections of the test; for `afterEach`. */
export function closeClients(): void {
  for (const agent of agents.splice(0)) agent.destroy();
  for (const socket of sockets.splice(0)) socket.destroy();
}

/**
 * The held requests: the table lets each go when the case says so, or, with
 * `soon`, lets each go on the next turn of the event loop.
 */
function holds(soon = false) {
  const waiting: Array<() => void> = [];
  return {
    routes: {
      hold: () => new Promise<void>((resolve) => (soon ? setImmediate(resolve) : waiting.push(resolve))),
    },
    held: () => waiting.length,
    release: () => waiting.shift()?.(),
    releaseAll: () => waiting.splice(0).forEach((release) => release()),
  };
}

/** The problem 503 a refused request gets, with the headers every runtime must send. */
function expectRefusal(
  res: { status: number; headers: Readonly<Record<string, string | undefined>>; body: string },
  retryAfter = '1',
  detail = 'The server is shutting down; retry the request.',
) {
  expect(res.status).toBe(503);
  expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  expect(res.headers['retry-after']).toBe(retryAfter);
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers.connection).toBe('close');
  expect(JSON.parse(res.body)).toMatchObject({ status: 503, title: 'Service Unavailable', detail });
}

interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The responses in what a raw connection received, in order: Content-Length and chunked bodies. */
function parseResponses(raw: string): RawResponse[] {
  const responses: RawResponse[] = [];
  let rest = raw;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) throw new Error(`an incomplete head: ${JSON.stringify(rest)}`);
    const [statusLine = '', ...lines] = rest.slice(0, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    rest = rest.slice(end + 4);
    let body = '';
    if (headers['transfer-encoding'] === 'chunked') {
      for (;;) {
        const lineEnd = rest.indexOf('\r\n');
        const size = parseInt(rest.slice(0, lineEnd), 16);
        if (lineEnd < 0 || Number.isNaN(size) || rest.length < lineEnd + 2 + size + 2) {
          throw new Error(`a chunked body cut short: ${JSON.stringify(raw)}`);
        }
        rest = rest.slice(lineEnd + 2);
        if (size === 0) {
          rest = rest.slice(2);
          break;
        }
        body += rest.slice(0, size);
        rest = rest.slice(size + 2);
      }
    } else {
      const length = Number(headers['content-length'] ?? 0);
      if (rest.length < length) throw new Error(`a body cut short: ${JSON.stringify(raw)}`);
      body = rest.slice(0, length);
      rest = rest.slice(length);
    }
    responses.push({ status: Number(statusLine.split(' ')[1]), headers, body });
  }
  return responses;
}

/** A raw TCP connection, for what Node's client will not do: pipelining. */
export async function rawConnection(url: string) {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  sockets.push(socket);
  socket.setEncoding('latin1');
  let received = '';
  socket.on('data', (chunk: string) => (received += chunk));
  const closed = once(socket, 'close');
  await once(socket, 'connect');
  return {
    send: (path: string) => socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`),
    receivedSoFar: () => received,
    /** Everything the server sent, once it closed the connection. */
    all: async () => {
      await closed;
      return parseResponses(received);
    },
  };
}

type CaseName =
  | 'status'
  | 'in-flight'
  | 'last'
  | 'idle'
  | 'open-connection'
  | 'open-connection-options'
  | 'grace'
  | 'delay'
  | 'head-sent'
  | 'race';

interface Case {
  readonly id: CaseName;
  readonly name: string;
  readonly options?: DrainOptions;
  /** The held routes answer on the next turn of the event loop, without the case letting them go. */
  readonly soon?: boolean;
  readonly run: (app: DrainApp, held: ReturnType<typeof holds>) => Promise<void>;
}

/** A request on a connection of its own, arriving after close(): one the server must not accept. */
async function expectNotAccepted(url: string) {
  const outcome = await get(url, keepAlive());
  expect(outcome).toMatchObject({ kind: 'failure', code: 'ECONNREFUSED' });
}

/** Answers the pipelined request after the streamed one, on a connection busy when close() ran. */
async function refusedOnOpenConnection(app: DrainApp, held: ReturnType<typeof holds>) {
  const connection = await rawConnection(app.url);
  connection.send('/stream');
  await waitFor(() => connection.receivedSoFar().includes('first'), 'the head and first chunk of /stream');
  const closing = app.close();
  // The connection is busy, so stopping did not close it; this request arrives on it now.
  connection.send('/fast');
  await waitFor(() => app.received() === 2, 'the server to receive the pipelined request');
  held.release();
  const [streamed, refused] = await connection.all();
  await closing;
  return { streamed, refused };
}

/** The behaviours of drain() every runtime must share. */
export const DRAIN_CASES: readonly Case[] = [
  {
    id: 'status',
    name: 'reports draining: false while serving, then true from close() on, with the requests in flight',
    run: async (app, held) => {
      expect(app.status()).toEqual({ draining: false, inFlight: 0 });
      const slow = get(`${app.url}/slow`, keepAlive());
      await waitFor(() => held.held() === 1, 'the slow request to reach its route');
      expect(app.status()).toEqual({ draining: false, inFlight: 1 });
      const closing = app.close();
      expect(app.status()).toEqual({ draining: true, inFlight: 1 });
      held.release();
      expect(answer(await slow).body).toBe('slow');
      await closing;
      expect(app.status()).toEqual({ draining: true, inFlight: 0 });
    },
  },
  {
    id: 'in-flight',
    name: 'lets a slow request in flight finish with Connection: close, and accepts no new connection',
    run: async (app, held) => {
      const agent = keepAlive();
      expect(answer(await get(`${app.url}/fast`, agent)).headers.connection).toBe('keep-alive');
      const slow = get(`${app.url}/slow`, agent);
      await waitFor(() => held.held() === 1, 'the slow request to reach its route');
      const closing = app.close();
      await expectNotAccepted(`${app.url}/fast`);
      held.release();
      const res = answer(await slow);
      expect(res).toMatchObject({ status: 200, body: 'slow', reusedSocket: true });
      expect(res.headers.connection).toBe('close');
      await closing;
    },
  },
  {
    id: 'last',
    name: 'resolves close() only once the last request in flight has finished',
    run: async (app, held) => {
      const first = get(`${app.url}/slow`, keepAlive());
      const second = get(`${app.url}/slow`, keepAlive());
      await waitFor(() => held.held() === 2, 'both slow requests to reach their route');
      let resolved = false;
      const closing = app.close().then(() => (resolved = true));
      held.release();
      expect(answer(await first).body).toBe('slow');
      expect(resolved).toBe(false);
      expect(app.status().inFlight).toBe(1);
      held.release();
      expect(answer(await second).body).toBe('slow');
      await closing;
      expect(resolved).toBe(true);
    },
  },
  {
    id: 'idle',
    name: 'closes idle keep-alive connections at once, and resolves with nothing in flight',
    options: { grace: 60_000 },
    run: async (app) => {
      const agent = keepAlive(2);
      const opened: Socket[] = [];
      const [one, two] = await Promise.all([
        get(`${app.url}/fast`, agent, (socket) => opened.push(socket)),
        get(`${app.url}/fast`, agent, (socket) => opened.push(socket)),
      ]);
      expect([answer(one).headers.connection, answer(two).headers.connection]).toEqual([
        'keep-alive',
        'keep-alive',
      ]);
      expect(opened).toHaveLength(2);
      const closedByServer = opened.map((socket) => once(socket, 'close'));
      // With a grace of a minute, close() resolves only if nothing waits for those connections.
      await app.close();
      await Promise.all(closedByServer);
      expect(app.status()).toEqual({ draining: true, inFlight: 0 });
    },
  },
  {
    id: 'open-connection',
    name: 'answers a request arriving on an open connection after close() with the 503 problem, Retry-After: 1, no-store and Connection: close',
    run: async (app, held) => {
      const { streamed, refused } = await refusedOnOpenConnection(app, held);
      expect(streamed).toMatchObject({ status: 200, body: 'firstlast' });
      expectRefusal(refused!);
    },
  },
  {
    id: 'open-connection-options',
    name: 'sends its retryAfter and detail on that 503',
    options: { retryAfter: 30, detail: 'Moving house.' },
    run: async (app, held) => {
      const { refused } = await refusedOnOpenConnection(app, held);
      expectRefusal(refused!, '30', 'Moving house.');
    },
  },
  {
    id: 'grace',
    name: 'destroys a request that never finishes once grace has passed, and resolves',
    options: { grace: 50 },
    run: async (app) => {
      const never = get(`${app.url}/never`, keepAlive());
      await waitFor(() => app.status().inFlight === 1, 'the request to be in flight');
      await app.close();
      expect(await never).toMatchObject({ kind: 'failure', code: 'ECONNRESET' });
      expect(app.status()).toEqual({ draining: true, inFlight: 0 });
    },
  },
  {
    id: 'delay',
    name: 'keeps serving during delay, already reporting draining: true, each answer with Connection: close',
    options: { delay: 30_000 },
    run: async (app) => {
      // The delay's clock is the test's: what happens during it cannot depend on the machine's speed.
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'queueMicrotask'] });
      try {
        const agent = keepAlive();
        expect(answer(await get(`${app.url}/fast`, agent)).headers.connection).toBe('keep-alive');
        const closing = app.close();
        expect(app.status().draining).toBe(true);
        const onOpen = answer(await get(`${app.url}/fast`, agent));
        expect(onOpen).toMatchObject({ status: 200, body: 'ok', reusedSocket: true });
        expect(onOpen.headers.connection).toBe('close');
        const onNew = answer(await get(`${app.url}/fast`, keepAlive()));
        expect(onNew).toMatchObject({ status: 200, body: 'ok', reusedSocket: false });
        await jest.advanceTimersByTimeAsync(30_000);
        await closing;
        await expectNotAccepted(`${app.url}/fast`);
      } finally {
        jest.useRealTimers();
      }
    },
  },
  {
    id: 'head-sent',
    name: 'closes the connection of a response whose head went out before close() as soon as it ends',
    options: { grace: 60_000 },
    run: async (app, held) => {
      let socket: Socket | undefined;
      const streamed = get(`${app.url}/stream`, keepAlive(), (s) => (socket = s));
      await waitFor(() => held.held() === 1 && socket !== undefined, 'the stream to start');
      const slow = get(`${app.url}/slow`, keepAlive());
      await waitFor(() => held.held() === 2, 'the slow request to reach its route');
      const closedByServer = once(socket!, 'close');
      const closing = app.close();
      held.release();
      const res = answer(await streamed);
      expect(res).toMatchObject({ status: 200, body: 'firstlast' });
      // Its head said keep-alive, before draining began: only drain() can close it now.
      expect(res.headers.connection).toBe('keep-alive');
      await closedByServer;
      // Not merely at the end: another request is still in flight.
      expect(app.status().inFlight).toBe(1);
      held.release();
      expect(answer(await slow).body).toBe('slow');
      await closing;
    },
  },
  {
    id: 'race',
    name: 'answers every request it received while clients race the close, and leaves none hanging',
    options: { grace: 60_000 },
    soon: true,
    run: async (app) => {
      const outcomes: Outcome[] = [];
      let sent = 0;
      let closing: Promise<void> | undefined;
      // Eight clients, each on its own keep-alive connection, at most 40 requests each.
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          const agent = keepAlive();
          for (let i = 0; i < 40; i++) {
            if (++sent === 60) closing = app.close();
            const outcome = await get(`${app.url}/slow`, agent);
            outcomes.push(outcome);
            // A client whose connection was closed reconnects, and finds the server gone.
            if (outcome.kind === 'failure') break;
          }
        }),
      );
      await closing;
      const answers = outcomes.flatMap((outcome) => (outcome.kind === 'answer' ? [outcome] : []));
      const failures = outcomes.flatMap((outcome) => (outcome.kind === 'failure' ? [outcome] : []));
      // Nothing the server received went unanswered, and nothing hung.
      expect(answers).toHaveLength(app.received());
      for (const res of answers) {
        if (res.status === 200) expect(res.body).toBe('slow');
        else expectRefusal(res);
      }
      // What failed never reached it: a new connection refused, or one closed as idle under the client.
      for (const failure of failures) {
        expect(
          failure.code === 'ECONNREFUSED' || (failure.code === 'ECONNRESET' && failure.reusedSocket),
        ).toBe(true);
      }
      expect(answers.some((res) => res.status === 200)).toBe(true);
    },
  },
];

/** Runs the drain table through one runtime. */
export function describeDrain(name: string, runtime: DrainRuntime) {
  describe(`drain() on ${name}`, () => {
    let held: ReturnType<typeof holds>;
    afterEach(async () => {
      held?.releaseAll();
      closeClients();
      await runtime.dispose();
    });

    const cases = DRAIN_CASES.filter((entry) => !(runtime.skip ?? []).includes(entry.id));
    it.each(cases.map((entry) => [entry.name, entry] as const))(
      '%s',
      async (_name, entry) => {
        held = holds(entry.soon);
        const app = await runtime.start(entry.options ?? {}, held.routes);
        await entry.run(app, held);
      },
      PATIENCE * 2,
    );
  });
}
