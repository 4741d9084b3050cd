import { PROBLEM_JSON_TYPE, PROBLEM_XML_TYPE } from '../http/media-types';
import { serialize } from '../describe/problem';
import type { Renderer } from './renderer';
import { HTML_CSP, renderHtml } from './html';
import { renderText } from './text';
import { renderXml } from './xml';

/** One body format a problem can be sent in. */
export interface Format {
  readonly contentType: string;
  readonly render: Renderer;
  /** Headers this format needs besides Content-Type. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

const json: Renderer = ({ problem }) => serialize(problem);

function format(contentType: string, render: Renderer, headers: Format['headers'] = []): Format {
  return Object.freeze({ contentType, render, headers });
}

export const PROBLEM_JSON = format(`${PROBLEM_JSON_TYPE}; charset=utf-8`, json);

/**
 * The formats by media type, in order of preference when the client likes
 * several equally. A client that accepts plain JSON or XML but not the problem
 * types gets the same body under the type it asked for.
 */
export const FORMATS: Readonly<Record<string, Format>> = {
  [PROBLEM_JSON_TYPE]: PROBLEM_JSON,
  'application/json': format('application/json; charset=utf-8', json),
  [PROBLEM_XML_TYPE]: format(`${PROBLEM_XML_TYPE}; charset=utf-8`, renderXml),
  'application/xml': format('application/xml; charset=utf-8', renderXml),
  'text/html': format('text/html; charset=utf-8', renderHtml, [['Content-Security-Policy', HTML_CSP]]),
  'text/plain': format('text/plain; charset=utf-8', renderText),
};
