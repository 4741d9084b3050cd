import vary from 'vary';

import type { Format } from './formats';
import type { ErrorHeaders, HeaderValue } from '../http/headers';
import type { Problem } from '../describe/problem';
import type { DebugInfo } from '../classify/debug-info';
import type { StatusPlan } from '../describe/status-plan';

/**
 * A whole response, as plain data: what every writer (Node, fetch, Fastify,
 * Koa) applies as it is, so the same error gets the same answer everywhere.
 */
export interface ResponsePlan {
  readonly status: number;
  /** The reason phrase; `undefined` where the protocol has none (HTTP/2). */
  readonly statusText: string | undefined;
  /** Every header, in order, each name once; the first {@link ResponsePlan.errorHeaders} are the error's own. */
  readonly headers: ReadonlyArray<readonly [string, HeaderValue]>;
  /** How many of the first headers came from the error: what a writer leaves out when its runtime refuses one. */
  readonly errorHeaders: number;
  /** The body, also for HEAD, whose headers (Content-Length, and any a hook computes) are those of GET. */
  readonly body: string;
  /** HEAD: send the headers and not the body (RFC 9110 §9.3.2). */
  readonly omitBody: boolean;
}

/** What the response policy decides from: one error's answer, all plain data. */
export interface ResponseInput {
  readonly plan: StatusPlan;
  /** The error's own headers, checked and bounded already. */
  readonly headers: ErrorHeaders;
  /** The header that carries the problem's trace id, checked already. */
  readonly traceHeader?: readonly [string, string] | undefined;
  readonly format: Format;
  /** The final problem, as `finalize` leaves it. */
  readonly problem: Problem;
  readonly debug: DebugInfo | undefined;
  readonly method: string;
  /** HTTP/2 and later have no reason phrase (RFC 9113 §8.3.2). */
  readonly http2: boolean;
}

/**
 * The response policy: the status line, every header and the body of an
 * error's answer. RFC 6585 §6: a 511 MUST NOT be stored; a 503, or any answer
 * that says when to come back, must not be served from a cache after that
 * moment passes, so both are `no-store`. The body depends on `Accept`, so
 * caches must key on it (RFC 9110 §12.5.5), and it is never sniffed.
 */
export function respond(input: ResponseInput): ResponsePlan {
  const { plan, headers: own, format } = input;
  const headers: Array<readonly [string, HeaderValue]> = [];
  let retryAfter: string | undefined;
  let cacheControl: readonly [string, HeaderValue] | undefined;
  let varies: string | undefined;
  for (const name of Object.keys(own)) {
    const value = own[name] as HeaderValue;
    const lower = name.toLowerCase();
    if (lower === 'cache-control') cacheControl = [name, value];
    else if (lower === 'vary') varies = typeof value === 'string' ? value : value.join(', ');
    else {
      if (lower === 'retry-after' && typeof value === 'string') retryAfter = value;
      headers.push([name, value]);
    }
  }
  const noStore = isNoStore(plan, retryAfter !== undefined);
  // An error may choose the caching of a status that need not be no-store.
  if (!noStore && cacheControl !== undefined) headers.push(cacheControl);
  const errorHeaders = headers.length;
  // The error's own header of that name, if any, is what it asked for.
  const { traceHeader } = input;
  if (traceHeader !== undefined && !hasHeader(own, traceHeader[0])) headers.push(traceHeader);
  if (noStore) headers.push(['Cache-Control', 'no-store']);
  headers.push(['Vary', varies === undefined ? 'Accept' : vary.append(varies, 'Accept')]);
  headers.push(['Content-Type', format.contentType]);
  for (const header of format.headers) headers.push(header);
  headers.push(['X-Content-Type-Options', 'nosniff']);
  const body = format.render({ problem: input.problem, retryAfter, debug: input.debug });
  headers.push(['Content-Length', String(utf8Length(body))]);
  return {
    status: plan.status,
    statusText: input.http2 ? undefined : plan.title,
    headers,
    errorHeaders,
    body,
    omitBody: input.method === 'HEAD',
  };
}

/**
 * Whether an answer must carry `Cache-Control: no-store`: always for the
 * statuses the catalog says so of (503, 511), and for any answer that says
 * when to come back.
 */
export function isNoStore(status: { readonly noStore: boolean }, retryAfter: boolean): boolean {
  return status.noStore || retryAfter;
}

function hasHeader(headers: ErrorHeaders, name: string): boolean {
  const lower = name.toLowerCase();
  return Object.keys(headers).some((own) => own.toLowerCase() === lower);
}

const ASCII = /^[\x00-\x7f]*$/;

/** The length of text in UTF-8 bytes, without Node's Buffer (fetch runtimes have none). */
export function utf8Length(text: string): number {
  if (ASCII.test(text)) return text.length;
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      // A surrogate pair: two UTF-16 units, four bytes.
      bytes += 2;
      i++;
    } else bytes += 2; // three bytes, as is a lone surrogate written as U+FFFD
  }
  return bytes;
}
