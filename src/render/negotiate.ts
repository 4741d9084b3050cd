import Negotiator from 'negotiator';

import { type Format, FORMATS, PROBLEM_JSON } from './formats';

// Accept is chosen by the client, so each memo of its answers is bounded.
const MAX_REMEMBERED = 256;

/**
 * Picks, for an Accept header (RFC 9110 §12.5.1), the best of `mediaTypes`
 * (in order of preference when the client likes several equally), or
 * `undefined` when it accepts none of them. Answers are remembered per Accept
 * value: browsers and API clients send the same few, and parsing one costs
 * more than the rest of an error response.
 */
export function mediaTypeChooser(
  mediaTypes: readonly string[],
): (accept: string | undefined) => string | undefined {
  const remembered = new Map<string, string | undefined>();
  const types = [...mediaTypes];
  return (accept) => {
    if (accept === undefined || accept === '*/*') return types[0];
    if (remembered.has(accept)) return remembered.get(accept);
    const mediaType = new Negotiator({ headers: { accept } }).mediaType(types);
    if (remembered.size >= MAX_REMEMBERED) remembered.clear();
    remembered.set(accept, mediaType);
    return mediaType;
  };
}

const choose = mediaTypeChooser(Object.keys(FORMATS));

/**
 * The body format of a problem for a request's Accept header. problem+json is
 * the default: for `*∕*`, for no Accept at all, and when nothing the client
 * lists can be served, since RFC 9457 §3 prefers a problem body to a 406 for
 * an error.
 */
export function negotiate(accept: string | undefined): Format {
  const mediaType = choose(accept);
  return (mediaType === undefined ? undefined : FORMATS[mediaType]) ?? PROBLEM_JSON;
}
