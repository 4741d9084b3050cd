// Every server the benchmark runs, in the order each round visits them.
// `expect.body`: "problem" = application/problem+json that parses, "json" =
// any JSON that parses, "html" = Express's page, checked for status and headers only.
const FAIL = { path: '/fail', expect: { status: 503, retryAfter: '120' } };
const fail = (body) => ({ ...FAIL, expect: { ...FAIL.expect, body } });
const OK = { path: '/ok', expect: { status: 200, body: 'json' } };

export const contenders = [
  { id: 'raw', label: 'node:http, precomputed 503', module: 'contenders/raw-http.mjs', ...fail('problem') },
  {
    id: 'express-default',
    label: 'Express default handler + http-errors',
    module: 'contenders/express-default.mjs',
    ...fail('html'),
  },
  {
    id: 'hand-written',
    label: 'hand-written problem+json handler',
    module: 'contenders/hand-written.mjs',
    ...fail('problem'),
  },
  { id: 'boom', label: '@hapi/boom + small handler', module: 'contenders/boom.mjs', ...fail('json') },
  {
    id: 'problem-details',
    label: 'express-http-problem-details',
    module: 'contenders/problem-details.mjs',
    ...fail('problem'),
  },
  {
    id: 'server-errors',
    label: '`serverErrors()`',
    module: 'contenders/server-errors.mjs',
    ...fail('problem'),
  },
  {
    id: 'server-errors-quiet',
    label: '`serverErrors({ log: false })`',
    module: 'contenders/server-errors.mjs',
    variant: 'quiet',
    ...fail('problem'),
  },
  // With BENCH_BASELINE=<a checkout with dist/ built>: the same two, from that build.
  ...(process.env.BENCH_BASELINE
    ? [
        {
          id: 'baseline',
          label: '`serverErrors()` of the baseline build',
          module: 'contenders/server-errors.mjs',
          variant: 'baseline',
          ...fail('problem'),
        },
        {
          id: 'baseline-quiet',
          label: '`serverErrors({ log: false })` of the baseline build',
          module: 'contenders/server-errors.mjs',
          variant: 'baseline-quiet',
          ...fail('problem'),
        },
      ]
    : []),
  {
    id: 'ok-without',
    label: '`GET /ok` without serverErrors()',
    module: 'contenders/success-path.mjs',
    variant: 'without',
    ...OK,
  },
  {
    id: 'ok-with',
    label: '`GET /ok` with serverErrors()',
    module: 'contenders/success-path.mjs',
    variant: 'with',
    ...OK,
  },
  {
    id: 'ok-layer',
    label: '`GET /ok` with serverErrors() and 1 pass-through middleware',
    module: 'contenders/success-path.mjs',
    variant: 'layer',
    ...OK,
  },
  {
    id: 'ok-layers',
    label: '`GET /ok` with serverErrors() and 7 pass-through middlewares',
    module: 'contenders/success-path.mjs',
    variant: 'layers',
    ...OK,
  },
  {
    id: 'ok-timeout',
    label: '`GET /ok` with serverErrors() and timeout()',
    module: 'contenders/success-path.mjs',
    variant: 'timeout',
    ...OK,
  },
  {
    id: 'ok-connect-timeout',
    label: '`GET /ok` with serverErrors() and connect-timeout',
    module: 'contenders/success-path.mjs',
    variant: 'connect-timeout',
    ...OK,
  },
  {
    id: 'ok-guarded',
    label: '`GET /ok` with serverErrors() and all guards',
    module: 'contenders/success-path.mjs',
    variant: 'guarded',
    ...OK,
  },
  {
    id: 'ok-guarded-one',
    label: '`GET /ok` with serverErrors() and all guards in one `guards()`',
    module: 'contenders/success-path.mjs',
    variant: 'guarded-one',
    ...OK,
  },
  // With BENCH_BASELINE: three of them again, from that build (for instructions.mjs).
  ...(process.env.BENCH_BASELINE
    ? ['with', 'timeout', 'guarded-one'].map((variant) => ({
        id: `baseline-ok-${variant}`,
        label: `the baseline build's \`GET /ok\` ${variant === 'with' ? 'with serverErrors()' : `and ${variant}`}`,
        module: 'contenders/success-path.mjs',
        variant: `baseline-${variant}`,
        ...OK,
      }))
    : []),
];

/**
 * The contenders named in the environment variable `name` (comma-separated
 * ids, in the order given), or in `fallback` when it is unset; an unknown id is
 * refused, naming the variable and the known ids.
 */
export function contendersNamed(name, fallback) {
  const ids = (process.env[name] || fallback).split(',').filter(Boolean);
  return ids.map((id) => {
    const contender = contenders.find((c) => c.id === id);
    if (!contender)
      throw new Error(`${name}: unknown ${id}; known: ${contenders.map((c) => c.id).join(', ')}`);
    return contender;
  });
}

/** The comparisons the report makes, each against its own baseline. */
export const groups = [
  {
    title: 'Error path: `GET /fail` answers 503 with `Retry-After: 120`',
    baseline: 'hand-written',
    ids: [
      'raw',
      'express-default',
      'hand-written',
      'boom',
      'problem-details',
      'server-errors',
      'server-errors-quiet',
    ],
  },
  {
    title: 'Success path: `GET /ok` answers 200 JSON',
    baseline: 'ok-without',
    ids: [
      'ok-without',
      'ok-with',
      'ok-layers',
      'ok-timeout',
      'ok-connect-timeout',
      'ok-guarded',
      'ok-guarded-one',
    ],
  },
  ...(process.env.BENCH_BASELINE
    ? [
        {
          title: 'This build against the baseline build (`BENCH_BASELINE`), error path, default log',
          baseline: 'baseline',
          ids: ['baseline', 'server-errors'],
        },
        {
          title: 'This build against the baseline build (`BENCH_BASELINE`), error path, no log',
          baseline: 'baseline-quiet',
          ids: ['baseline-quiet', 'server-errors-quiet'],
        },
      ]
    : []),
];
