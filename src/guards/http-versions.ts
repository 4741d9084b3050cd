import * as z from 'zod/mini';

import { HTTPVersionNotSupported } from '../errors/classes';
import type { Guard } from './guard';
import { checkingGuard } from './guard-check';
import { refusal } from '../errors/refusal';
import { type OptionsSpec, type ShapeOf, validateOptions } from '../misuse/validate-options';
import { uncachedGet } from '../util/uncached-get';

/** An HTTP version as Node reports it in `req.httpVersion`. */
export type HttpVersion = '1.0' | '1.1' | '2.0';

/** The options of {@link httpVersions}. */
export interface HttpVersionsOptions {
  /**
   * The versions this server accepts, as `req.httpVersion` spells them; any
   * other gets a 505 that names these. `'2.0'` means real HTTP/2 (a `node:http2`
   * request), not an HTTP/1 request line that claims `HTTP/2.0`. Defaults to
   * `['1.0', '1.1', '2.0']`: every version Node serves, so only `HTTP/0.9` and
   * such fake `HTTP/2.0` lines are refused; list fewer, such as `['1.1', '2.0']`,
   * to refuse HTTP/1.0 clients too.
   */
  supported?: readonly HttpVersion[];
}

const VERSIONS = ['1.0', '1.1', '2.0'] as const;
const VERSIONS_BY_USE: readonly HttpVersion[] = ['1.1', '2.0', '1.0'];

const schema = () =>
  z.strictObject({
    supported: z.optional(z.array(z.enum(VERSIONS)).check(z.minLength(1))),
  });

const spec: OptionsSpec<ShapeOf<typeof schema>> = {
  name: 'httpVersions',
  schema,
  expected: {
    supported: 'a non-empty array of versions: "1.0", "1.1" and "2.0"',
    'supported[]': 'one of "1.0", "1.1" and "2.0", as req.httpVersion spells them',
  },
  hint: (received) => (typeof received === 'number' ? 'Write the version as a string: "1.1".' : undefined),
};

function names(supported: readonly string[]): string {
  const list = supported.map((version) => (version === '2.0' ? 'HTTP/2' : `HTTP/${version}`));
  return list.length === 1 ? `${list[0]}` : `${list.slice(0, -1).join(', ')} and ${list.at(-1)}`;
}

/**
 * Answers a request in an HTTP version the server does not support with a 505
 * (`HTTPVersionNotSupported`); the problem names the supported versions in its
 * `detail` and in a `supported` member, as RFC 9110 §15.6.6 asks. Opt-in: use
 * it to refuse HTTP/1.0 (`supported: ['1.1', '2.0']`) or any other version your
 * stack cannot serve.
 *
 * @example
 * app.use(httpVersions({ supported: ['1.1', '2.0'] }));
 * app.use(serverErrors());
 * // GET / HTTP/1.0 → 505 {"detail":"This server supports HTTP/1.1 and HTTP/2.", "supported":["1.1","2.0"], …}
 */
export function httpVersions(options?: HttpVersionsOptions): Guard {
  const { supported = VERSIONS } = validateOptions(spec, options);
  const unique = [...new Set(supported)];
  // Compared one by one, HTTP/1.1 first: the parser makes a new string for each
  // request, which a Set would hash on every lookup.
  const accepted: readonly string[] = VERSIONS_BY_USE.filter((version) => unique.includes(version));
  const detail = `This server supports ${names(unique)}.`;
  const extensions = Object.freeze({ supported: Object.freeze(unique) });
  return checkingGuard(function httpVersionsCheck(req) {
    const version = uncachedGet(req, 'httpVersion');
    // Node's HTTP/1 parser accepts a request line ending in HTTP/2.0, but HTTP/2
    // has its own binary framing (RFC 9113 §3): such a request is not HTTP/2.
    // Only `httpVersion` is read otherwise: under Express each property read
    // on a request costs a lookup of its own (bench/instructions.mjs).
    const real = version !== '2.0' || 'stream' in req;
    if (real && accepted.includes(version)) return undefined;
    return refusal(
      new HTTPVersionNotSupported({ detail, extensions, message: `HTTP/${version} is not supported.` }),
    );
  });
}
