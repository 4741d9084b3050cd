// The middleware: what every user installs.
export { serverErrors, type ServerErrorsHandler } from './middleware';
export type { ServerErrorsOptions } from './options';
export type { ErrorLogRecord, ErrorLogger } from './log';
export type { ErrorMatcher, ErrorTarget, MapRule } from './map-rules';
export type { TypeScheme } from './status-plan';

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
} from './errors';
export {
  isServerError,
  ServerError,
  type RetryableErrorOptions,
  type ServerErrorOptions,
} from './server-error';
export type { RetryAfter } from './retry-after';

// The catalog: data for docs, OpenAPI generators and tests of users' own.
export { catalog, lookupStatus, type CatalogEntry, type CatalogStatus, type Definition } from './catalog';

// The pipeline's steps, for adapters and tests that need one step alone.
export { classify, type Classified } from './classify';
export { describe, type Problem } from './problem';

// The codes of the errors thrown on misuse, for programs that branch on them.
export type { UsageError, UsageErrorCode } from './usage-error';
