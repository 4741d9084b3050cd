import { z } from 'zod';

import type { Classified } from './classify';
import { errorCodes, STANDARD_CODES } from './error-codes';
import { type ErrorLogger, logToStderr } from './log';
import { type CompiledRule, compileRules, type MapRule } from './map-rules';
import { ServerError } from './server-error';
import { type StatusPlan, statusPlanner, type TypeScheme } from './status-plan';
import { anyFunction, type OptionsSpec, validateOptions } from './validate-options';

/** The options of {@link serverErrors}. */
export interface ServerErrorsOptions {
  /**
   * Rules that turn your own errors into server errors, tried in order before
   * anything else. Each is `[matcher, target]`: the matcher is an error class, an
   * error `code` string or a predicate `(err) => boolean`; the target is a status
   * from 500 to 599, one of the error classes, or `(err) => ServerError`.
   * Defaults to no rules.
   *
   * @example
   * serverErrors({ map: [[DatabaseDown, 503], ['ECONNABORTED', 502], [isUpstreamTimeout, (e) => new GatewayTimeout({ cause: e })]] })
   */
  map?: readonly MapRule[];
  /**
   * Called once per 5xx with a record `{ status, method, path, err }` and the
   * request; `false` turns logging off. Defaults to one line on stderr with the
   * status, method, path and stack, and to silence when `NODE_ENV` is `test`.
   *
   * @example
   * serverErrors({ log: (record) => logger.error(record, 'request failed') })
   */
  log?: ErrorLogger | false;
  /**
   * How problem `type` URIs are chosen when an error sets none: `'spec'` links to
   * the RFC section that defines the status (`about:blank` where none does, as
   * for 598 and 599); `'about:blank'` always sends `about:blank`. Defaults to `'spec'`.
   */
  types?: TypeScheme;
  /**
   * Answer upstream read timeouts (fetch's `UND_ERR_HEADERS_TIMEOUT`,
   * `UND_ERR_BODY_TIMEOUT`) with 598 and connect timeouts
   * (`UND_ERR_CONNECT_TIMEOUT`) with 599, as some proxies do, instead of the
   * standard 504. Defaults to `false`.
   */
  nonStandard?: boolean;
}

/** The options, checked and turned into what the request path reads. */
export interface Settings {
  readonly rules: readonly CompiledRule[];
  readonly log: ErrorLogger | undefined;
  readonly plan: (status: number) => StatusPlan;
  readonly codes: ReadonlyMap<string, Classified>;
}

const schema = z.strictObject({
  map: z
    .array(
      z.tuple([
        z.union([z.string().min(1), anyFunction]),
        z.union([
          z.number().int().min(500).max(599),
          anyFunction.refine((value) => (value as unknown) !== ServerError),
        ]),
      ]),
    )
    .optional(),
  log: z.union([z.literal(false), anyFunction]).optional(),
  types: z.enum(['spec', 'about:blank']).optional(),
  nonStandard: z.boolean().optional(),
});

const spec: OptionsSpec<typeof schema.shape> = {
  name: 'serverErrors',
  schema,
  expected: {
    '': 'an options object',
    map: 'an array of [matcher, target] rules',
    'map[]': 'a [matcher, target] pair',
    'map[][0]': 'an error class, a non-empty error code string or a predicate (err) => boolean',
    'map[][1]':
      'a status from 500 to 599, an error class such as ServiceUnavailable, or a function (err) => ServerError',
    log: 'a function (record, req) => void, or false',
    types: '"spec" or "about:blank"',
    nonStandard: 'a boolean',
  },
  numeric: new Set(['map[][1]']),
  hint: (received) =>
    received === ServerError
      ? 'ServerError itself needs a status: use a status number or a subclass.'
      : undefined,
};

/**
 * Checks the options once, when `serverErrors()` is called (a wrong one throws
 * there, naming it), and precomputes what the request path reads.
 */
export function parseOptions(options: unknown): Settings {
  const { map = [], log, types = 'spec', nonStandard = false } = validateOptions(spec, options);
  return {
    rules: compileRules(map as readonly MapRule[]),
    log:
      log === false
        ? undefined
        : ((log as ErrorLogger | undefined) ?? (process.env.NODE_ENV === 'test' ? undefined : logToStderr)),
    plan: statusPlanner(types),
    codes: nonStandard ? errorCodes(true) : STANDARD_CODES,
  };
}
