import express from 'express';
import { admission, loadShedding, serverErrors } from 'server-errors';

import { burn, WORK_BODY } from '../overload/work.mjs';

/**
 * The Express contenders of bench/overload.mjs, one `variant` each: "none"
 * (no shedding), "load-shedding" (loadShedding() on event-loop delay),
 * "admission-middleware" (admission() as the first middleware) and
 * "admission-wrapped" (the same gate in front of the app, as the request
 * listener). `GET /work` burns about 2 ms of CPU, then answers 200 JSON.
 */
export default function createHandler(variant = 'none') {
  const app = express();
  // Made before the routes, so a misnamed variant fails at start, not under load.
  const gate = variant.startsWith('admission') ? makeGate() : undefined;
  if (variant === 'load-shedding') app.use(loadShedding({ maxEventLoopDelay: 100 }));
  else if (variant === 'admission-middleware') app.use(gate);
  else if (!['none', 'admission-wrapped'].includes(variant))
    throw new Error(`overload-express: unknown variant "${variant}"`);
  app.get('/work', (_req, res) => {
    burn();
    res.json(WORK_BODY);
  });
  app.use(serverErrors());
  return variant === 'admission-wrapped' ? gate.wrap(app) : app;
}

function makeGate() {
  // A dist/ built before admission() existed: say so, instead of "not a function".
  if (typeof admission !== 'function') throw new Error('this build of server-errors exports no admission()');
  return admission();
}
