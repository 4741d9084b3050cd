// The demo app behind `npm start`: one route per catalog code, each throwing
// the class a real route would throw, so every response can be tried with curl.
import express from 'express';
import * as library from 'server-errors';

const { catalog, NetworkAuthenticationRequired, NotImplemented, notFound, serverErrors, ServiceUnavailable } =
  library;

/** The error each demo route throws: the catalog class, with the options that status is known for. */
function errorFor({ status, className }) {
  if (status === 503)
    return new ServiceUnavailable(120, { detail: 'Down for maintenance; back in two minutes.' });
  if (status === 501) return new NotImplemented({ detail: 'This feature is not built yet.' });
  if (status === 511)
    return new NetworkAuthenticationRequired({ loginUrl: 'https://example.com/wifi-login' });
  return new library[className]();
}

const PATHS = [...Object.keys(catalog), 'crash'].map((name) => `/${name}`);

export function createApp() {
  const app = express();
  app.get('/', (_req, res) => {
    res
      .type('text/plain')
      .send(`server-errors demo: each of these answers with its error.\n${PATHS.join('\n')}\n`);
  });
  for (const entry of Object.values(catalog)) {
    app.get(`/${entry.status}`, () => {
      throw errorFor(entry);
    });
  }
  app.get('/crash', () => {
    throw new Error('password=hunter2: this message is logged, never sent');
  });
  // Anything else: a 404 problem, not Express's "Cannot GET".
  app.use(notFound());
  app.use(serverErrors());
  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.PORT ?? 3000);
  const server = createApp().listen(port, '127.0.0.1', () => {
    const base = `http://127.0.0.1:${server.address().port}`;
    console.log(`server-errors demo listening on ${base}\nTry:`);
    for (const path of PATHS) console.log(`  curl -i ${base}${path}`);
    console.log(`  curl -i ${base}/nowhere   # no such route: a 404 problem`);
    console.log(`  curl -I ${base}/503   # HEAD: headers, no body`);
  });
}
