import * as z from 'zod/mini';

import type { Classified } from './classify/classified';
import type { CompiledRule } from './classify/classify';
import { errorCodes, STANDARD_CODES } from './classify/system-codes';
import { compileRules, type MapRule } from './classify/map-rules';
import type { Problem } from './describe/problem';
import { ServerError } from './errors/server-error';
import { type StatusPlan, statusPlanner, type TypeScheme } from './describe/status-plan';
import { defaultTraceId, type TraceSources } from './describe/trace-id';
import { isHttpUrl } from './http/urls';
import {
  anyFunction,
  type OptionsSpec,
  schemaOf,
  type ShapeOf,
  validateOptions,
} from './misuse/validate-options';
import { nodeEnv, warnOnce } from './misuse/warnings';

/** What the error layer logs for each 5xx: one structured record, ready for pino and the like. */
export interface ErrorLogRecord {
  /** The status that was answered (or would have been, when headers were already sent). */
  readonly status: number;
  readonly method: string;
  /** The request path, without the query string (it may hold tokens). */
  readonly path: string;
  /** The problem's `traceId`, so the log line and the response can be matched; absent when turned off. */
  readonly traceId?: string;
  /** What was thrown, as thrown. */
  readonly err: unknown;
}

/** Receives one {@link ErrorLogRecord} per 5xx, and the request of the runtime (`Req`). */
export type ErrorLogger<Req> = (record: ErrorLogRecord, req: Req) => void;

/**
 * The options of `serverErrors()`, the same in every runtime; `Req` is the
 * request its hooks receive: Node's `IncomingMessage`, a fetch `Request`,
 * Fastify's request, Koa's context.
 */
export interface ServerErrorsOptions<Req> {
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
  log?: ErrorLogger<Req> | false;
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
  /**
   * Make `type` a URL under your own site for the catalog statuses:
   * `typeBase + slug`, e.g. `https://api.example.com/problems/service-unavailable`.
   * Serve the pages there with {@link problemDocs}, so every `type` a client
   * receives leads to documentation (RFC 9457 §3.1.1). Defaults to none.
   *
   * @example
   * app.use('/problems', problemDocs());
   * app.use(serverErrors({ typeBase: 'https://api.example.com/problems/' }));
   */
  typeBase?: string;
  /**
   * Add the internal message, the stack and the `cause` chain to every problem
   * (as `message`, `stack` and `causes` members, and on the HTML page), for
   * development only. Defaults to `true` only when `NODE_ENV` is `development`;
   * turning it on in production prints a warning at start-up.
   */
  debug?: boolean;
  /**
   * Where the `traceId` member of every problem (and of the log record) comes
   * from. Defaults to the trace-id of a valid W3C `traceparent` header, else a
   * sane `X-Request-Id`, else a new random id; a function overrides it (when it
   * returns a string); `false` leaves `traceId` out.
   *
   * @example
   * serverErrors({ traceId: (req) => req.headers['x-amzn-trace-id'] as string | undefined })
   */
  traceId?: ((req: Req) => string | undefined) | false;
  /**
   * Change the problem before it is written, as ASP.NET Core's
   * CustomizeProblemDetails does: mutate it or return a new one. It cannot change
   * `status` or reach a prototype; if it throws, the problem goes out uncustomized
   * and the failure is reported. Defaults to none.
   *
   * @example
   * serverErrors({ customize: (problem, { req }) => { problem.tenant = req.headers['x-tenant']; } })
   */
  customize?: Customize<Req>;
  /**
   * When an OpenTelemetry SDK is set up (`@opentelemetry/api` installed and a
   * context manager registered), mark every 5xx on the active span: status
   * ERROR, `error.type` (the class name of one of our errors, else the status),
   * and the exception once as an event; and take the problem's `traceId` from
   * the span, so the body, the log and the trace agree. A 4xx and a client that
   * went away are not marked. `false` leaves spans alone. Defaults to `true`.
   */
  openTelemetry?: boolean;
}

/** What {@link ServerErrorsOptions.customize} receives besides the problem. */
export interface CustomizeContext<Req> {
  /** What was thrown. */
  readonly err: unknown;
  readonly req: Req;
}

/** Changes a problem before it is written; see {@link ServerErrorsOptions.customize}. */
export type Customize<Req> = (problem: Problem, context: CustomizeContext<Req>) => Problem | void;

/** The options, checked and turned into what the request path reads. */
export interface Settings<Req> {
  readonly rules: readonly CompiledRule[];
  readonly log: ((record: ErrorLogRecord, req: Req) => void) | undefined;
  readonly plan: (status: number) => StatusPlan;
  readonly codes: ReadonlyMap<string, Classified>;
  readonly debug: boolean;
  /** The trace id of a request: the user's function, else the default from the request's headers. */
  /**
   * The trace id of a request: the user's function, else the active span's
   * trace id (`spanTraceId`), else the default from the request.
   */
  readonly traceId: ((req: Req, facts: TraceSources, spanTraceId: string | undefined) => string) | undefined;
  /** Mark 5xx on the active OpenTelemetry span, and take the trace id from it. */
  readonly openTelemetry: boolean;
  readonly customize: Customize<Req> | undefined;
}

// One schema per option of the interface, no more and no fewer: the compiler
// holds the two lists together.
const shape = () =>
  ({
    map: z.optional(
      z.array(
        z.tuple([
          z.union([z.string().check(z.minLength(1)), anyFunction()]),
          z.union([
            z.int().check(z.gte(500), z.lte(599)),
            anyFunction().check(z.refine((value) => (value as unknown) !== ServerError)),
          ]),
        ]),
      ),
    ),
    log: z.optional(z.union([z.literal(false), anyFunction()])),
    types: z.optional(z.enum(['spec', 'about:blank'])),
    nonStandard: z.optional(z.boolean()),
    typeBase: z.optional(z.string().check(z.refine(isHttpUrl))),
    debug: z.optional(z.boolean()),
    traceId: z.optional(z.union([z.literal(false), anyFunction()])),
    customize: z.optional(anyFunction()),
    openTelemetry: z.optional(z.boolean()),
  }) satisfies Record<keyof ServerErrorsOptions<unknown>, z.ZodMiniType>;

const schema = () => z.strictObject(shape());

const spec: OptionsSpec<ShapeOf<typeof schema>> = {
  name: 'serverErrors',
  schema,
  expected: {
    map: 'an array of [matcher, target] rules',
    'map[]': 'a [matcher, target] pair',
    'map[][0]': 'an error class, a non-empty error code string or a predicate (err) => boolean',
    'map[][1]':
      'a status from 500 to 599, an error class such as ServiceUnavailable, or a function (err) => ServerError',
    log: 'a function (record, req) => void, or false',
    types: '"spec" or "about:blank"',
    nonStandard: 'a boolean',
    typeBase: 'an absolute http(s) URL such as "https://api.example.com/problems/"',
    debug: 'a boolean',
    traceId: 'a function (req) => string | undefined, or false',
    customize: 'a function (problem, { err, req }) => void',
    openTelemetry: 'a boolean',
  },
  numeric: new Set(['map[][1]']),
  hint: (received) =>
    received === ServerError
      ? 'ServerError itself needs a status: use a status number or a subclass.'
      : undefined,
};

/** The names of the options, as the schema knows them: the README's table is checked against them. */
export function optionNames(): ReadonlyArray<keyof ServerErrorsOptions<unknown>> {
  return Object.keys(schemaOf(spec).shape) as Array<keyof ServerErrorsOptions<unknown>>;
}

/** What a runtime's adapter brings to the options: its own default logger. */
export interface RuntimeDefaults<Req> {
  /** The logger when the options give none and `NODE_ENV` is not `test`. */
  readonly log: ErrorLogger<Req>;
}

/**
 * Checks the options once, when `serverErrors()` is called (a wrong one throws
 * there, naming it), and precomputes what the request path reads.
 */
export function parseOptions<Req>(options: unknown, defaults: RuntimeDefaults<Req>): Settings<Req> {
  const {
    map = [],
    log,
    types = 'spec',
    nonStandard = false,
    typeBase,
    debug = nodeEnv() === 'development',
    traceId,
    customize,
    openTelemetry = true,
  } = validateOptions(spec, options);
  if (debug && nodeEnv() === 'production') warnDebugInProduction();
  return {
    rules: compileRules(map as readonly MapRule[]),
    log: log === false ? undefined : ((log as ErrorLogger<Req> | undefined) ?? defaultLog(defaults)),
    plan: statusPlanner(types, typeBase),
    codes: nonStandard ? errorCodes(true) : STANDARD_CODES,
    debug,
    traceId: traceId === false ? undefined : traceId === undefined ? fromHeaders : userTraceId(traceId),
    customize: customize as Customize<Req> | undefined,
    openTelemetry,
  };
}

function defaultLog<Req>(defaults: RuntimeDefaults<Req>): ErrorLogger<Req> | undefined {
  // Tests see their own failures; a line per expected 5xx would bury them.
  return nodeEnv() === 'test' ? undefined : defaults.log;
}

const fromHeaders = (_req: unknown, facts: TraceSources, spanTraceId: string | undefined): string =>
  spanTraceId ?? defaultTraceId(facts);

/** A user's trace id function, falling back to the default when it gives no usable id. */
function userTraceId<Req>(
  fn: (...args: never[]) => unknown,
): (req: Req, facts: TraceSources, spanTraceId: string | undefined) => string {
  const own = fn as (req: Req) => unknown;
  return (req, facts, spanTraceId) => {
    let id: unknown;
    try {
      id = own(req);
    } catch {
      // A failing trace id function must not cost the response its id.
    }
    return typeof id === 'string' && id !== '' ? id : (spanTraceId ?? defaultTraceId(facts));
  };
}

const warnDebug = warnOnce();

function warnDebugInProduction(): void {
  warnDebug(
    'debug',
    'serverErrors(): debug is on while NODE_ENV is "production": every problem body shows internal messages, stacks and causes.',
    'SERVER_ERRORS_DEBUG_IN_PRODUCTION',
  );
}
