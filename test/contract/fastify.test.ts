import '../helpers/native-esm';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';

import { serverErrors } from '../../src/fastify';
import { send } from '../helpers/http-client';
import { type ContractRequest, type ContractResponse, describeContract, type Logged } from './contract';
import { describeTracedContract } from './tracing';

/** A Fastify app whose one route throws what `current()` returns, and the way to set it. */
async function contractApp(log: (record: Logged[number]) => void) {
  let current: () => unknown = () => undefined;
  const app = Fastify();
  await app.register(serverErrors, { log });
  app.all('/contract', () => {
    throw current();
  });
  return { app, throwing: (thrown: () => unknown) => (current = thrown) };
}

function plain(headers: Record<string, unknown>): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    flat[name] = Array.isArray(value) ? value.join(', ') : value === undefined ? undefined : String(value);
  }
  return flat;
}

describeContract('Fastify through inject', async (log) => {
  const { app, throwing } = await contractApp(log);
  await app.ready();
  return {
    run: async (thrown, { method, path, headers }: ContractRequest): Promise<ContractResponse> => {
      throwing(thrown);
      const res = await app.inject({ method, url: path, headers });
      return { status: res.statusCode, headers: plain(res.headers), body: res.body };
    },
    close: () => app.close(),
  };
});

describeContract('Fastify through a real server', async (log) => {
  const { app, throwing } = await contractApp(log);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = (app as FastifyInstance).server.address() as AddressInfo;
  return {
    run: (thrown, { method, path, headers }) => {
      throwing(thrown);
      return send(`http://127.0.0.1:${port}${path}`, { method, headers });
    },
    close: () => app.close(),
  };
});

describeTracedContract('Fastify through a real server', async (tracing) => {
  let current: () => unknown = () => undefined;
  const app = Fastify();
  app.addHook('onRequest', (request, reply, done) =>
    tracing.serverSpan(request.headers, (span) => {
      reply.raw.on('close', () => span.end());
      done();
    }),
  );
  await app.register(serverErrors, { log: false });
  app.all('/contract', () => {
    throw current();
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    run: (thrown, { method, path, headers }) => {
      current = thrown;
      return send(`http://127.0.0.1:${port}${path}`, { method, headers });
    },
    close: () => app.close(),
  };
});
