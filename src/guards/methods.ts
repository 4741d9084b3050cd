import * as z from 'zod/mini';

import { NotImplemented } from '../errors/classes';
import type { Guard } from './guard';
import { checkingGuard } from './guard-check';
import { refusal } from '../errors/refusal';
import { type OptionsSpec, type ShapeOf, validateOptions } from '../misuse/validate-options';

/** The options of {@link methods}. */
export interface MethodsOptions {
  /**
   * Every method this server recognises, as written on the wire (methods are
   * case-sensitive, RFC 9110 §9.1); any other gets a 501. It replaces the
   * default list, and must include `GET` and `HEAD`, which every server
   * supports (RFC 9110 §9.1). Defaults to the methods of RFC 9110 §9 (`GET`,
   * `HEAD`, `POST`, `PUT`, `DELETE`, `CONNECT`, `OPTIONS`, `TRACE`) and `PATCH`
   * (RFC 5789).
   */
  known?: readonly string[];
}

const DEFAULT_KNOWN = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];

// method = token (RFC 9110 §9.1, §5.6.2).
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const schema = () =>
  z.strictObject({
    known: z.optional(
      z
        .array(z.string().check(z.regex(METHOD)))
        .check(z.refine((known) => known.includes('GET') && known.includes('HEAD'))),
    ),
  });

const spec: OptionsSpec<ShapeOf<typeof schema>> = {
  name: 'methods',
  schema,
  expected: {
    known: 'an array of method names that includes "GET" and "HEAD" (RFC 9110 §9.1 requires both)',
    'known[]': 'a method name: a token such as "PROPFIND", without spaces (RFC 9110 §9.1)',
  },
  hint: (received, path) =>
    path === 'known' &&
    Array.isArray(received) &&
    received.some((method) => method === 'get' || method === 'head')
      ? 'Methods are case-sensitive: write "GET" and "HEAD".'
      : undefined,
};

/**
 * Answers a request whose method the server does not recognise at all with a
 * 501 (`NotImplemented`, RFC 9110 §15.6.2), before any route runs; `GET` and
 * `HEAD` always pass. A known method that a route does not support is not its
 * business: that stays your router's 405 with an `Allow` header.
 *
 * Node's HTTP/1 parser answers 400 itself, before any middleware, for a method
 * outside `http.METHODS`; this guard decides among the ones it lets through,
 * such as `PROPFIND`, `PURGE` or `LINK`.
 *
 * @example
 * app.use(methods()); // or methods({ known: ['GET', 'HEAD', 'POST', 'PROPFIND'] })
 * app.use(router);
 * app.use(serverErrors());
 */
export function methods(options?: MethodsOptions): Guard {
  const { known = DEFAULT_KNOWN } = validateOptions(spec, options);
  const recognised: ReadonlySet<string> = new Set(known);
  return checkingGuard(function methodsCheck(req) {
    const method = req.method ?? '';
    if (recognised.has(method)) return undefined;
    return refusal(new NotImplemented({ detail: `This server does not implement the ${method} method.` }));
  });
}
