import Negotiator from 'negotiator';

import { type Format, FORMATS, PROBLEM_JSON } from './formats';

const MEDIA_TYPES = Object.keys(FORMATS);
// Accept is chosen by the client, so the memo of its answers is bounded.
const MAX_REMEMBERED = 256;
const remembered = new Map<string, Format>();

/**
 * The body format for a request's Accept header (RFC 9110 §12.5.1).
 * problem+json is the default: for `*∕*`, for no Accept at all, and when nothing
 * the client lists can be served, since RFC 9457 §3 prefers a problem body to a
 * 406 for an error. Answers are remembered per Accept value: browsers and API
 * clients send the same few, and parsing one costs more than the rest of the
 * response.
 */
export function negotiate(accept: string | undefined): Format {
  if (accept === undefined || accept === '*/*') return PROBLEM_JSON;
  let format = remembered.get(accept);
  if (format === undefined) {
    const mediaType = new Negotiator({ headers: { accept } }).mediaType(MEDIA_TYPES);
    format = (mediaType === undefined ? undefined : FORMATS[mediaType]) ?? PROBLEM_JSON;
    if (remembered.size >= MAX_REMEMBERED) remembered.clear();
    remembered.set(accept, format);
  }
  return format;
}
