import { drain } from '../../src/guards/drain';
import { serverErrors } from '../../src/node/middleware';
import { expressVersions } from '../helpers/apps';
import { closeServers, listenLocally } from '../helpers/local-server';
import { describeDrain, drainAppOf } from './drain';

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
      return drainAppOf(await listenLocally(app), draining);
    },
    dispose: closeServers,
  });
}
