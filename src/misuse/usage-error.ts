/** The stable codes of the errors thrown for misuse, so callers can branch on them. */
export type UsageErrorCode =
  | 'ERR_SERVER_ERRORS_NOT_CALLED'
  | 'ERR_SERVER_ERRORS_INVALID_OPTIONS'
  | 'ERR_SERVER_ERRORS_UNKNOWN_OPTION'
  | 'ERR_SERVER_ERRORS_INVALID_OPTION'
  | 'ERR_SERVER_ERRORS_INVALID_STATUS'
  | 'ERR_SERVER_ERRORS_INVALID_RETRY_AFTER'
  | 'ERR_SERVER_ERRORS_INVALID_ERROR_OPTION';

/** A TypeError or RangeError carrying a stable `code`, as Node's own errors do. */
export type UsageError = (TypeError | RangeError) & { code: UsageErrorCode };

/**
 * Builds the error thrown when the library is misused: a `TypeError` for a value
 * of the wrong type, a `RangeError` for a value out of range.
 */
export function usageError(
  Kind: typeof TypeError | typeof RangeError,
  code: UsageErrorCode,
  message: string,
): UsageError {
  const error = new Kind(message) as UsageError;
  error.code = code;
  return error;
}
