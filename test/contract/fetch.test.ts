import { Hono } from 'hono';

import { serverErrors } from '../../src/fetch';
import { type ContractResponse, describeContract } from './contract';
import { describeTracedContract } from './tracing';

async function plain(response: Response): Promise<ContractResponse> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  return { status: response.status, headers, body: await response.text() };
}

describeContract('the fetch adapter under Hono', async (log) => {
  let current: () => unknown = () => undefined;
  const handle = serverErrors({ log });
  const app = new Hono();
  app.all('/contract', () => {
    throw current();
  });
  app.onError((err, c) => handle(err, c.req.raw));
  // Hono hands onError only what is an Error; the rest reaches the wrapped fetch.
  const fetch = handle.wrap((request) => app.request(request));
  return {
    run: async (thrown, { method, path, headers }) => {
      current = thrown;
      return plain(await fetch(new Request(`http://localhost${path}`, { method, headers })));
    },
    close: async () => undefined,
  };
});

describeContract('the fetch adapter around a bare fetch handler (Bun, Deno, Workers)', async (log) => {
  let current: () => unknown = () => undefined;
  const fetch = serverErrors({ log }).wrap(() => {
    throw current();
  });
  return {
    run: async (thrown, { method, path, headers }) => {
      current = thrown;
      return plain(await fetch(new Request(`http://localhost${path}`, { method, headers })));
    },
    close: async () => undefined,
  };
});

describeTracedContract('the fetch adapter under Hono', async (tracing) => {
  let current: () => unknown = () => undefined;
  const handle = serverErrors({ log: false });
  const app = new Hono();
  app.use((c, next) =>
    tracing.serverSpan(Object.fromEntries(c.req.raw.headers), async (span) => {
      try {
        await next();
      } finally {
        span.end();
      }
    }),
  );
  app.all('/contract', () => {
    throw current();
  });
  app.onError((err, c) => handle(err, c.req.raw));
  return {
    run: async (thrown, { method, path, headers }) => {
      current = thrown;
      return plain(await app.request(new Request(`http://localhost${path}`, { method, headers })));
    },
    close: async () => undefined,
  };
});

describeTracedContract('the fetch adapter around a bare fetch handler', async (tracing) => {
  let current: () => unknown = () => undefined;
  const wrapped = serverErrors({ log: false }).wrap(() => {
    throw current();
  });
  // The runtime's own instrumentation: a span around the whole handler.
  const fetch = (request: Request) =>
    tracing.serverSpan(Object.fromEntries(request.headers), async (span) => {
      try {
        return await wrapped(request);
      } finally {
        span.end();
      }
    });
  return {
    run: async (thrown, { method, path, headers }) => {
      current = thrown;
      return plain(await fetch(new Request(`http://localhost${path}`, { method, headers })));
    },
    close: async () => undefined,
  };
});
