import * as z from 'zod/mini';

import { LoopDetected } from '../errors/classes';
import type { Guard } from './guard';
import { checkingGuard } from './guard-check';
import { refusal } from '../errors/refusal';
import { type OptionsSpec, type ShapeOf, validateOptions } from '../misuse/validate-options';
import { uncachedGet } from '../util/uncached-get';

/** The options of {@link loopGuard}. */
export interface LoopGuardOptions {
  /**
   * This service's name in `CDN-Loop` (RFC 8586 §2: a host, `host:port` or a
   * token), matched without regard to case against `CDN-Loop` entries and the
   * `received-by` of `Via` entries. Give every service in a chain its own.
   * Required: there is no default.
   */
  id: string;
  /**
   * The most hops a request may have made before it reaches this service,
   * counted as the entries of `CDN-Loop` or of `Via`, whichever has more; beyond
   * it the answer is 508. This catches loops that pass through services which
   * add a hop but run no `loopGuard` of their own. Ten is well above the usual
   * CDN → load balancer → ingress → app chain. Defaults to `10`.
   */
  maxHops?: number;
}

const DEFAULT_MAX_HOPS = 10;

// RFC 8586 §2: cdn-id = ( uri-host [ ":" port ] ) / pseudonym, where a pseudonym
// is a token (RFC 9110 §5.6.2). Commas, semicolons, quotes and spaces would break
// the list this id is appended to.
const CDN_ID = /^(?:[!#$%&'*+.^_`|~0-9A-Za-z-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;

const schema = () =>
  z.strictObject({
    id: z.string().check(z.regex(CDN_ID)),
    maxHops: z.optional(z.int().check(z.gte(1))),
  });

const spec: OptionsSpec<ShapeOf<typeof schema>> = {
  name: 'loopGuard',
  schema,
  expected: {
    '': 'an options object with an id, such as { id: "api-gateway" }',
    id: 'a host, host:port or token naming this service (RFC 8586 §2), without spaces, commas, semicolons or quotes, such as "api-gateway"',
    maxHops: 'an integer of at least 1',
  },
  numeric: new Set(['maxHops']),
};

/** What one list header says about this service: how many entries it holds and whether one names us. */
interface Scan {
  hops: number;
  seen: boolean;
}

const NONE: Scan = Object.freeze({ hops: 0, seen: false });

/**
 * Refuses a request that has come around to this service again, or has made
 * too many hops, with a 508 (`LoopDetected`); otherwise appends `id` to the
 * request's `CDN-Loop` header (RFC 8586), so a proxy after it forwards the mark
 * to the next hop, and lets it through. Put it before your proxy routes and
 * `serverErrors()` after them.
 *
 * A loop is found when `CDN-Loop` holds an entry whose cdn-id is `id`
 * (parameters ignored), or `Via` (RFC 9110 §7.6.3) an entry received by `id`.
 * Any client can send these headers (RFC 8586 §3): this stops loops, it is not
 * access control, and a client that forges them only refuses its own request.
 * The 508 is a guard's refusal, answered and not logged like the others: a
 * forged header must not write error logs, and a real loop shows in the 508s.
 *
 * @example
 * app.use(loopGuard({ id: 'api-gateway' }));
 * app.use('/api', createProxyMiddleware({ target: 'http://orders.internal' }));
 * app.use(serverErrors());
 */
export function loopGuard(options: LoopGuardOptions): Guard {
  const { id, maxHops = DEFAULT_MAX_HOPS } = validateOptions(spec, options);
  const ownId = id.toLowerCase();
  return checkingGuard(function loopGuardCheck(req) {
    const headers = uncachedGet(req, 'headers');
    // Each header is read where it is named: read by a name passed in, both took a generic keyed lookup.
    const cdnLoop = headerText(headers['cdn-loop']);
    const fromCdnLoop = cdnLoop === undefined ? NONE : scan(cdnLoop, cdnIdOf, ownId);
    const via = headerText(headers.via);
    const fromVia = via === undefined ? NONE : scan(via, receivedByOf, ownId);
    if (fromCdnLoop.seen || fromVia.seen) {
      const header = fromCdnLoop.seen ? 'CDN-Loop' : 'Via';
      return refusal(
        new LoopDetected({
          detail: `The request came back to a server it had already passed through (its ${header} header names it): the proxies on its path form a loop.`,
          message: `Loop detected: the ${header} header already names "${id}".`,
        }),
      );
    }
    const hops = Math.max(fromCdnLoop.hops, fromVia.hops);
    if (hops > maxHops) {
      return refusal(
        new LoopDetected({
          detail: `The request passed through ${hops} proxies, more than the ${maxHops} this server accepts: the proxies on its path probably form a loop.`,
        }),
      );
    }
    headers['cdn-loop'] = cdnLoop === undefined || cdnLoop.trim() === '' ? id : `${cdnLoop}, ${id}`;
    return undefined;
  });
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

// cdn-info = cdn-id *( OWS ";" OWS parameter ) (RFC 8586 §2).
function cdnIdOf(member: string): string {
  const end = member.indexOf(';');
  return (end === -1 ? member : member.slice(0, end)).trim();
}

// Via = #( received-protocol RWS received-by [ RWS comment ] ) (RFC 9110 §7.6.3).
function receivedByOf(member: string): string {
  return member.trim().split(/[ \t]+/, 2)[1] ?? '';
}

const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = 0x28;
const CLOSE = 0x29;

/**
 * Walks a list header (RFC 9110 §5.6.1) once, splitting at the commas that are
 * outside quoted strings (CDN-Loop parameters) and comments (Via), and skipping
 * the empty members senders may leave. Linear in the header's length, since the
 * header comes from the client (RFC 8586 §3 warns against a DoS vector).
 */
function scan(value: string, idOf: (member: string) => string, ownId: string): Scan {
  let hops = 0;
  let seen = false;
  let start = 0;
  let depth = 0;
  let quoted = false;
  const member = (end: number): void => {
    const text = value.slice(start, end);
    if (text.trim() === '') return;
    hops++;
    if (!seen && idOf(text).toLowerCase() === ownId) seen = true;
  };
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === BACKSLASH && (quoted || depth > 0)) i++;
    else if (c === QUOTE && depth === 0) quoted = !quoted;
    else if (quoted) continue;
    else if (c === OPEN) depth++;
    else if (c === CLOSE && depth > 0) depth--;
    else if (c === COMMA && depth === 0) {
      member(i);
      start = i + 1;
    }
  }
  member(value.length);
  return { hops, seen };
}
