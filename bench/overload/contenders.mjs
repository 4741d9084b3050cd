/**
 * The contenders of bench/overload.mjs, in the order each rep runs them. Each
 * is one server process; `family` says whose capacity C its rates are
 * multiples of, and which server that capacity is measured on.
 */
export const contenders = [
  {
    id: 'none',
    label: 'Express, no shedding',
    family: 'express',
    module: 'contenders/overload-express.mjs',
    variant: 'none',
  },
  {
    id: 'load-shedding',
    label: 'Express + `loadShedding({ maxEventLoopDelay: 100 })`',
    family: 'express',
    module: 'contenders/overload-express.mjs',
    variant: 'load-shedding',
  },
  {
    id: 'admission-middleware',
    label: 'Express + `app.use(admission())`',
    family: 'express',
    module: 'contenders/overload-express.mjs',
    variant: 'admission-middleware',
    goals: true,
  },
  {
    id: 'admission-wrapped',
    label: 'Express in `admission().wrap(app)`',
    family: 'express',
    module: 'contenders/overload-express.mjs',
    variant: 'admission-wrapped',
    goals: true,
  },
  {
    id: 'fastify-under-pressure',
    label: 'Fastify + `@fastify/under-pressure` (`maxEventLoopDelay: 1000`)',
    family: 'fastify',
    module: 'contenders/overload-fastify.mjs',
    variant: 'under-pressure',
  },
];

/** The server each family's capacity is measured on: the same app, without shedding. */
export const families = {
  express: {
    label: 'Express 5 + `serverErrors()`',
    module: 'contenders/overload-express.mjs',
    variant: 'none',
  },
  fastify: {
    label: 'Fastify 5, without under-pressure',
    module: 'contenders/overload-fastify.mjs',
    variant: 'plain',
  },
};
