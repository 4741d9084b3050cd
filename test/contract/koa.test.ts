import { serverErrors } from '../../src/koa';
import { send } from '../helpers/http-client';
import { closeServers, listenLocally, urlOf } from '../helpers/local-server';
import { koaVersions } from '../koa/versions';
import { describeContract } from './contract';
import { describeTracedContract } from './tracing';

for (const [version, Koa] of koaVersions) {
  describeContract(version, async (log) => {
    let current: () => unknown = () => undefined;
    const app = new Koa();
    app.use(serverErrors({ log }));
    app.use((ctx) => {
      if (ctx.path === '/contract') throw current();
    });
    const server = await listenLocally(app.callback());
    return {
      run: (thrown, { method, path, headers }) => {
        current = thrown;
        return send(`${urlOf(server)}${path}`, { method, headers });
      },
      close: closeServers,
    };
  });
}

for (const [version, Koa] of koaVersions) {
  describeTracedContract(version, async (tracing) => {
    let current: () => unknown = () => undefined;
    const app = new Koa();
    app.use((ctx, next) =>
      tracing.serverSpan(ctx.headers, async (span) => {
        try {
          await next();
        } finally {
          ctx.res.on('close', () => span.end());
        }
      }),
    );
    app.use(serverErrors({ log: false }));
    app.use((ctx) => {
      if (ctx.path === '/contract') throw current();
    });
    const server = await listenLocally(app.callback());
    return {
      run: (thrown, { method, path, headers }) => {
        current = thrown;
        return send(`${urlOf(server)}${path}`, { method, headers });
      },
      close: closeServers,
    };
  });
}
