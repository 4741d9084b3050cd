import type { IncomingMessage, ServerResponse } from 'node:http';

import * as z from 'zod/mini';

import { validateOptions } from '../misuse/validate-options';
import { docsPages } from '../render/docs-pages';
import { requestPath } from './request-facts';
import { writeResponse } from './write';

/** The options of {@link problemDocs}: there are none yet. */
export type ProblemDocsOptions = Record<string, never>;

/** A Connect/Express middleware. */
export type ProblemDocsHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void;

const schema = () => z.strictObject({});
const spec = { name: 'problemDocs', schema, expected: {} };

/**
 * Serves documentation pages for the problem types: mount it where your problem
 * `type` URIs point. `GET /` lists every status of the catalog; `GET /<slug>`
 * (`/service-unavailable`) describes one: what it means, where it is defined,
 * the headers sent with it and the class that raises it. Browsers get HTML,
 * clients that ask for `application/json` get JSON; HEAD is answered too.
 * Responses are public and cacheable for a day (`Vary: Accept`), and pages are
 * sent with the same strict Content-Security-Policy as the error pages. Any
 * other path or method is passed on with `next()`. There are no options yet:
 * passing anything else than nothing or `{}` throws at start-up.
 *
 * @example
 * app.use('/problems', problemDocs()); // GET /problems/service-unavailable
 */
export function problemDocs(options?: ProblemDocsOptions): ProblemDocsHandler {
  validateOptions(spec, options);
  const pages = docsPages();
  return function problemDocsHandler(req, res, next) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    // The path inside the mount point: Express and Connect strip the mount path from url.
    const path = requestPath(req, 'url');
    const plan = pages.answer(path, basePath(req, path), req.headers.accept, req.method);
    if (plan === undefined) return next();
    writeResponse(req, res, plan);
  };
}

/**
 * Where the middleware is mounted (`/problems`), for links between the pages:
 * relative links would break between `/problems` and `/problems/`. Express and
 * Connect keep the full path in `originalUrl`; without it, the root.
 */
function basePath(req: IncomingMessage, path: string): string {
  const original = requestPath(req);
  const base = original.endsWith(path) ? original.slice(0, original.length - path.length) : original;
  // A link starting "//" points at another site: links are base + "/…", so the
  // base neither starts nor ends with more than one "/".
  return base.replace(/^\/+/, '/').replace(/\/+$/, '');
}
