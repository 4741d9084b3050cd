import { drain } from '../../src/guards/drain';
import { serverErrors } from '../../src/node/middleware';
import { expressVersions } from '../helpers/apps';
import { closeServers, listenLocally, urlOf } from '../helpers/local-server';
import { describeDrain } from './drain';

for (const [version, express] of expressVersions) {
  describeDrain(version, {
    start: async (options, { hold }) => {
      const draining = drain(options);
      const app = express();
      app.use(draining);
      app.get('/fast', (_req, res) => {
        res.send('ok');
      });
      app.get('/slow', (_req, res) => {
        void hold().then(() => res.send('slow'));
      });
      app.get('/stream', (_req, res) => {
        res.write('first');
        void hold().then(() => res.end('last'));
      });
      app.get('/never', () => undefined);
      app.use(serverErrors({ log: false }));
      const server = await listenLocally(app);
      // Node's own keep-alive timeout must not be what closes a connection here.
      server.keepAliveTimeout = 60_000;
      let received = 0;
      server.on('request', () => received++);
      return {
        url: urlOf(server),
        close: () => draining.close(server),
        status: draining.status,
        received: () => received,
      };
    },
    dispose: closeServers,
  });
}
