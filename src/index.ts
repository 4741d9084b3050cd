// The middleware: what every user installs.
export { serverErrors, type ServerErrorsHandler } from './node/middleware';
// Its options and hooks, typed on Node's request.
export type { Customize, CustomizeContext, ErrorLogger, ServerErrorsOptions } from './node/options';
// The record every runtime logs, the same everywhere.
export type { ErrorLogRecord } from './options';
export type { ErrorMatcher, ErrorTarget, MapRule } from './classify/map-rules';
export type { TypeScheme } from './describe/status-plan';

// The error classes: what routes throw.
export {
  BadGateway,
  GatewayTimeout,
  HTTPVersionNotSupported,
  InsufficientStorage,
  InternalServerError,
  LoopDetected,
  NetworkAuthenticationRequired,
  type NetworkAuthenticationRequiredOptions,
  NetworkConnectTimeout,
  NetworkReadTimeout,
  NotExtended,
  NotImplemented,
  ServiceUnavailable,
  VariantAlsoNegotiates,
} from './errors/classes';
export {
  isServerError,
  ServerError,
  type RetryableErrorOptions,
  type ServerErrorOptions,
} from './errors/server-error';
export type { RetryAfter } from './http/retry-after';
// Open circuit breakers (opossum) are 503s; this lets them say when to come back.
export { breakerRetryAfter, type CircuitBreakerLike } from './errors/breaker';

// The guards: middlewares that raise the catalog's errors at the right moment.
export { type Guard } from './guards/guard';
export { guards } from './guards/guards';
export { maintenance, type MaintenanceOptions } from './guards/maintenance';
export { type AllowRule } from './guards/allow-rule';
export {
  loadShedding,
  type LoadLimit,
  type LoadSheddingGuard,
  type LoadSheddingOptions,
  type LoadSheddingStatus,
} from './guards/load-shedding';
export {
  admission,
  type AdmissionGate,
  type AdmissionOptions,
  type AdmissionStatus,
  type RequestListener,
} from './guards/admission';
export { drain, type DrainGuard, type DrainOptions, type DrainStatus } from './guards/drain';
export { timeout, type TimeoutOptions } from './guards/timeout';
export { requestSignal } from './guards/deadline';
export { captivePortal, type CaptivePortalOptions } from './guards/captive-portal';
export { loopGuard, type LoopGuardOptions } from './guards/loop-guard';
export { methods, type MethodsOptions } from './guards/methods';
export { httpVersions, type HttpVersion, type HttpVersionsOptions } from './guards/http-versions';
// The answer to requests no route answered, through the same pipeline.
export { notFound, type NotFoundOptions } from './guards/not-found';
// The pages every `typeBase` type URI leads to (RFC 9457 §3.1.1).
export { problemDocs, type ProblemDocsHandler, type ProblemDocsOptions } from './node/problem-docs';
// For gateways: http-proxy-middleware's on.error answered by the same pipeline.
export { proxyErrorHandler, type ProxyErrorHandler } from './node/proxy-error-handler';

// The catalog: data for docs, OpenAPI generators and tests of users' own.
export {
  catalog,
  lookupStatus,
  type CatalogEntry,
  type CatalogStatus,
  type Definition,
} from './catalog/catalog';

// The pipeline's steps, for adapters and tests that need one step alone
// (`describe` is the old name of describeProblem, kept for compatibility).
export { classify, type Classified } from './classify/classify';
export { describe, describeProblem, type Problem } from './describe/problem';

// The codes of the errors thrown on misuse, for programs that branch on them.
export type { UsageError, UsageErrorCode } from './misuse/usage-error';
