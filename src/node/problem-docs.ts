import type { IncomingMessage, ServerResponse } from 'node:http';

import Negotiator from 'negotiator';
import vary from 'vary';
import { z } from 'zod';

import { catalog, type CatalogEntry, type Definition } from '../catalog/catalog';
import { escapeHtml, HTML_CSP, htmlPage } from '../render/html-page';
import { validateOptions } from '../misuse/validate-options';

/** The options of {@link problemDocs}: there are none yet. */
export type ProblemDocsOptions = Record<string, never>;

/** A Connect/Express middleware. */
export type ProblemDocsHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void;

/** A header the middleware sends with a status, as the docs describe it. */
interface HeaderDoc {
  readonly name: string;
  readonly value: string;
  readonly when: string;
}

/** One catalog entry as the docs serve it: the entry, with its headers and an example. */
interface EntryDoc extends Omit<CatalogEntry, 'definition'> {
  readonly definition: Definition | null;
  readonly headers: readonly HeaderDoc[];
  readonly example: string;
}

const entries = Object.values(catalog);
const MEDIA_TYPES = ['text/html', 'application/json'];
const HTML_TYPE = 'text/html; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

const schema = z.strictObject({});
const spec = { name: 'problemDocs', schema, expected: { '': 'an options object' } };

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
  const docs = entries.map(entryDoc);
  const indexJson = JSON.stringify({ problems: docs });
  const pages = new Map(docs.map((doc) => [`/${doc.slug}`, { doc, json: JSON.stringify(doc) }]));
  return function problemDocsHandler(req, res, next) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const path = pathOf(req.url);
    const page = pages.get(path);
    if (page === undefined && path !== '/') return next();
    vary(res, 'Accept');
    if (new Negotiator(req).mediaType(MEDIA_TYPES) === 'application/json') {
      send(req, res, JSON_TYPE, page === undefined ? indexJson : page.json);
    } else {
      const base = basePath(req, path);
      send(req, res, HTML_TYPE, page === undefined ? indexPage(base) : entryPage(page.doc, base));
    }
  };
}

function pathOf(url: string | undefined): string {
  const path = url ?? '/';
  const end = path.search(/[?#]/);
  return end === -1 ? path : path.slice(0, end);
}

/**
 * Where the middleware is mounted (`/problems`), for links between the pages:
 * relative links would break between `/problems` and `/problems/`. Express and
 * Connect keep the full path in `originalUrl`; without it, the root.
 */
function basePath(req: IncomingMessage, path: string): string {
  const originalUrl = (req as { originalUrl?: unknown }).originalUrl;
  const original = typeof originalUrl === 'string' ? pathOf(originalUrl) : path;
  const base = original.endsWith(path) ? original.slice(0, original.length - path.length) : original;
  // A link starting "//" points at another site: links are base + "/…", so the
  // base neither starts nor ends with more than one "/".
  return base.replace(/^\/+/, '/').replace(/\/+$/, '');
}

function send(req: IncomingMessage, res: ServerResponse, type: string, body: string): void {
  res.statusCode = 200;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.setHeader('Cache-Control', 'public, max-age=86400');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', HTML_CSP);
  // RFC 9110 §9.3.2: HEAD gets the same headers and no content.
  if (req.method === 'HEAD') res.end();
  else res.end(body);
}

function entryDoc(entry: CatalogEntry): EntryDoc {
  return {
    ...entry,
    definition: entry.definition ?? null,
    headers: headersOf(entry),
    example: exampleOf(entry),
  };
}

// What write() sends: Retry-After when the error has one, and no-store when the
// catalog says so or a Retry-After is sent.
function headersOf(entry: CatalogEntry): HeaderDoc[] {
  const headers: HeaderDoc[] = [];
  if (entry.retryAfter) {
    headers.push({
      name: 'Retry-After',
      value: 'seconds, or an HTTP-date',
      when: 'when the error is given a retryAfter',
    });
  }
  if (entry.noStore) headers.push({ name: 'Cache-Control', value: 'no-store', when: 'always' });
  else if (entry.retryAfter) {
    headers.push({ name: 'Cache-Control', value: 'no-store', when: 'with a Retry-After' });
  }
  return headers;
}

function exampleOf(entry: CatalogEntry): string {
  if (entry.retryAfter) return `throw new ${entry.className}(120, { detail: 'Back in two minutes.' });`;
  // RFC 6585 §6: the response should link to the login page.
  if (entry.status === 511) {
    return `throw new ${entry.className}({ loginUrl: 'https://wifi.example.com/login' });`;
  }
  return `throw new ${entry.className}({ detail: 'Shown to the client.', cause: err });`;
}

function indexPage(base: string): string {
  let rows = '';
  for (const entry of entries) {
    rows +=
      `<tr><td>${entry.status}</td><td><a href="${escapeHtml(`${base}/${entry.slug}`)}">${escapeHtml(entry.title)}</a></td>` +
      `<td><code>${escapeHtml(entry.className)}</code></td></tr>\n`;
  }
  return htmlPage(
    'Server errors',
    '<h1>Server errors</h1>\n<p>The HTTP 5xx statuses this service can answer with. ' +
      'Each page says what the status means, where it is defined and what the response carries.</p>\n' +
      '<table>\n<thead><tr><th scope="col">Status</th><th scope="col">Title</th><th scope="col">Class</th></tr></thead>\n' +
      `<tbody>\n${rows}</tbody>\n</table>\n`,
  );
}

function entryPage(doc: EntryDoc, base: string): string {
  const heading = `${doc.status} ${doc.title}`;
  let body = `<h1>${escapeHtml(heading)}</h1>\n<p>${escapeHtml(doc.description)}</p>\n<h2>Defined in</h2>\n`;
  const { definition } = doc;
  if (definition === null) {
    body += '<p>Not in any RFC, and not in the IANA HTTP Status Code Registry: some proxies use it.</p>\n';
  } else {
    let where = `<a href="${escapeHtml(definition.url)}">${escapeHtml(definition.rfc)}, section ${escapeHtml(definition.section)}</a>.`;
    if (definition.cited !== definition.rfc) {
      where += ` ${escapeHtml(definition.rfc)} obsoletes ${escapeHtml(definition.cited)}, which older references cite.`;
    }
    if (definition.rfcStatus !== undefined) {
      where += ` ${escapeHtml(definition.rfc)} is ${escapeHtml(definition.rfcStatus)}.`;
    }
    body += `<p>${where}</p>\n`;
  }
  body += '<h2>Headers</h2>\n';
  if (doc.headers.length === 0) {
    body += '<p>None beyond those of every problem response.</p>\n';
  } else {
    body += '<ul>\n';
    for (const header of doc.headers) {
      body += `<li><code>${escapeHtml(header.name)}: ${escapeHtml(header.value)}</code>, ${escapeHtml(header.when)}</li>\n`;
    }
    body += '</ul>\n';
  }
  body +=
    `<h2>Raising it</h2>\n<p>With the <code>${escapeHtml(doc.className)}</code> class of server-errors:</p>\n` +
    `<pre><code>${escapeHtml(doc.example)}</code></pre>\n` +
    `<p><a href="${escapeHtml(`${base}/`)}">All server errors</a></p>\n`;
  return htmlPage(heading, body);
}
