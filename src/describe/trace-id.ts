/** The request headers the pipeline reads, by lower-case name, as Node's `req.headers` holds them. */
export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

// W3C Trace Context §3.2: version-traceid-parentid-flags, lowercase hex. Version
// 00 has exactly four fields; later versions may append more after a dash.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-[^,]*)?$/;
// A request id is echoed into bodies and logs: short, and only characters that
// cannot start markup, split a header or fake a log line.
const REQUEST_ID = /^[A-Za-z0-9._:@+/=-]{1,128}$/;
const ZEROS_32 = '0'.repeat(32);
const ZEROS_16 = '0'.repeat(16);

/** The trace-id of a valid W3C `traceparent` header, else `undefined`. */
export function traceIdOfTraceparent(header: unknown): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = TRACEPARENT.exec(header);
  if (match === null) return undefined;
  const [, version, traceId, parentId, , rest] = match;
  // Version ff is invalid, all-zero ids are invalid, and version 00 has no more fields.
  if (version === 'ff' || traceId === ZEROS_32 || parentId === ZEROS_16) return undefined;
  if (version === '00' && rest !== undefined) return undefined;
  return traceId;
}

/** The `X-Request-Id` header when it is short and plain enough to echo, else `undefined`. */
export function sanitizeRequestId(header: unknown): string | undefined {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : undefined;
}

/** What {@link defaultTraceId} reads of a request. */
export interface TraceSources {
  readonly headers: RequestHeaders;
  /** The id the app already gave the request: a request-id middleware's `X-Request-Id` on the response. */
  readonly appRequestId?: string | undefined;
}

/**
 * The default trace id of a request: the trace-id of a valid `traceparent`
 * (so the problem matches the distributed trace), else the id the app already
 * gave the request, else a sane `X-Request-Id`, else a new random id in the
 * same 32-hex form as a W3C trace-id.
 */
export function defaultTraceId(req: TraceSources): string {
  return (
    traceIdOfTraceparent(req.headers.traceparent) ??
    sanitizeRequestId(req.appRequestId) ??
    sanitizeRequestId(req.headers['x-request-id']) ??
    crypto.randomUUID().replaceAll('-', '')
  );
}
