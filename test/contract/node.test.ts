import connect from 'connect';

import { serverErrors } from '../../src/node/middleware';
import { expressVersions } from '../helpers/apps';
import { send } from '../helpers/http-client';
import { closeServers, listenLocally, urlOf } from '../helpers/local-server';
import { describeContract } from './contract';
import { describeTracedContract } from './tracing';

for (const [version, express] of expressVersions) {
  describeContract(version, async (log) => {
    let current: () => unknown = () => undefined;
    const app = express();
    app.all('/contract', () => {
      throw current();
    });
    app.use(serverErrors({ log }));
    const server = await listenLocally(app);
    return {
      run: (thrown, { method, path, headers }) => {
        current = thrown;
        return send(`${urlOf(server)}${path}`, { method, headers });
      },
      close: closeServers,
    };
  });
}

describeContract('Connect', async (log) => {
  let current: () => unknown = () => undefined;
  const app = connect();
  app.use('/contract', (_req, _res, next) => next(current()));
  app.use(serverErrors({ log }));
  const server = await listenLocally(app);
  return {
    run: (thrown, { method, path, headers }) => {
      current = thrown;
      return send(`${urlOf(server)}${path}`, { method, headers });
    },
    close: closeServers,
  };
});

describeContract('bare node:http', async (log) => {
  let current: () => unknown = () => undefined;
  const handle = serverErrors({ log });
  const server = await listenLocally((req, res) => handle(current(), req, res));
  return {
    run: (thrown, { method, path, headers }) => {
      current = thrown;
      return send(`${urlOf(server)}${path}`, { method, headers });
    },
    close: closeServers,
  };
});

for (const [version, express] of expressVersions) {
  describeTracedContract(version, async (tracing) => {
    let current: () => unknown = () => undefined;
    const app = express();
    app.use((req, res, next) =>
      tracing.serverSpan(req.headers, (span) => {
        res.on('close', () => span.end());
        next();
      }),
    );
    app.all('/contract', () => {
      throw current();
    });
    app.use(serverErrors({ log: false }));
    const server = await listenLocally(app);
    return {
      run: (thrown, { method, path, headers }) => {
        current = thrown;
        return send(`${urlOf(server)}${path}`, { method, headers });
      },
      close: closeServers,
    };
  });
}

describeTracedContract('bare node:http', async (tracing) => {
  let current: () => unknown = () => undefined;
  const handle = serverErrors({ log: false });
  const server = await listenLocally((req, res) =>
    tracing.serverSpan(req.headers, (span) => {
      res.on('close', () => span.end());
      handle(current(), req, res);
    }),
  );
  return {
    run: (thrown, { method, path, headers }) => {
      current = thrown;
      return send(`${urlOf(server)}${path}`, { method, headers });
    },
    close: closeServers,
  };
});
