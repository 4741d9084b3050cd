// For services that call other services, in Node and in browsers: nothing here
// (nor anything it imports) needs a Node module.

// Reading an upstream's answer back into the error it stands for.
export { isProblem, parseProblem, type ProblemError } from './parse-problem';
export { ClientError } from './client-error';
// How long to wait before retrying: Retry-After, capped and jittered.
export { retryDelay, type RetryDelayOptions } from './retry-delay';
// For gateways: an upstream's failure passed on as our own 502 or 503.
export { gatewayError, type GatewayErrorOptions } from './gateway-error';

// The classes parseProblem resolves to, for `instanceof` where the main entry
// cannot load (a browser): the same classes, not copies.
export {
  BadGateway,
  GatewayTimeout,
  HTTPVersionNotSupported,
  InsufficientStorage,
  InternalServerError,
  LoopDetected,
  NetworkAuthenticationRequired,
  NetworkConnectTimeout,
  NetworkReadTimeout,
  NotExtended,
  NotImplemented,
  ServiceUnavailable,
  VariantAlsoNegotiates,
} from '../errors/classes';
export { isServerError, ServerError } from '../errors/server-error';
export type { RetryAfter } from '../http/retry-after';
