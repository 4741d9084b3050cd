import createError from 'http-errors';
import * as z from 'zod/mini';

import type { Guard } from './guard';
import {
  DETAIL_EXPECTED,
  detailOption,
  type OptionsSpec,
  type ShapeOf,
  validateOptions,
} from '../misuse/validate-options';

/** The options of {@link notFound}. */
export interface NotFoundOptions {
  /** The problem's public `detail`. Defaults to none: the title, "Not Found", says it. */
  detail?: string;
}

const schema = () =>
  z.strictObject({
    detail: detailOption(),
  });

const spec: OptionsSpec<ShapeOf<typeof schema>> = {
  name: 'notFound',
  schema,
  expected: { detail: DETAIL_EXPECTED },
};

/**
 * Answers every request no route answered with a 404 problem, through
 * `serverErrors()` like any other error: in the client's format, HEAD without
 * a body, the path without its query as `instance`. Put it after your routes
 * and before `serverErrors()`; without it, Express answers its own HTML
 * `Cannot GET /x`.
 *
 * @example
 * app.get('/orders', listOrders);
 * app.use(notFound());
 * app.use(serverErrors());
 */
export function notFound(options?: NotFoundOptions): Guard {
  const { detail } = validateOptions(spec, options);
  // One error for every request: a 404 is answered, never logged, and a scanner
  // probing thousands of paths should not cost a stack trace each.
  const error = createError(404, detail ?? 'Not Found', { expose: detail !== undefined });
  return function notFoundMiddleware(_req, _res, next) {
    next(error);
  };
}
