import { PassThrough } from 'node:stream';

import { serverErrors } from '../../src/koa';
import { drain } from '../../src/koa/drain';
import { closeServers, listenLocally } from '../helpers/local-server';
import { koaVersions } from '../koa/versions';
import { describeDrain, drainAppOf } from './drain';

for (const [version, Koa] of koaVersions) {
  describeDrain(version, {
    start: async (options, { hold }) => {
      const draining = drain(options);
      const app = new Koa();
      app.use(serverErrors({ log: false }));
      app.use(draining);
      app.use(async (ctx) => {
        if (ctx.path === '/fast') ctx.body = 'ok';
        else if (ctx.path === '/slow') {
          await hold();
          ctx.body = 'slow';
        } else if (ctx.path === '/stream') {
          const body = new PassThrough();
          body.write('first');
          void hold().then(() => body.end('last'));
          ctx.body = body;
        } else if (ctx.path === '/never') {
          ctx.respond = false;
        }
      });
      return drainAppOf(await listenLocally(app.callback()), draining);
    },
    dispose: closeServers,
  });
}
