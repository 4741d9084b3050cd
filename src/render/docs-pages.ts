import { catalog, type CatalogEntry, type Definition } from '../catalog/catalog';
import { escapeHtml, HTML_CSP, htmlPage } from './html-page';
import { mediaTypeChooser } from './negotiate';
import { isNoStore, type ResponsePlan, utf8Length } from './response';

/** A header the error layer sends with a status, as the docs describe it. */
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
const HTML_TYPE = 'text/html; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const chooseType = mediaTypeChooser(['text/html', 'application/json']);

/** The problem-type documentation: an index and a page per catalog entry, in HTML or JSON. */
export interface DocsPages {
  /**
   * The answer for `path` (`/` for the index, `/<slug>` for an entry) under the
   * mount point `base`, or `undefined` when there is no such page.
   */
  answer(path: string, base: string, accept: string | undefined, method: string): ResponsePlan | undefined;
}

/**
 * Builds the pages once: the JSON of each, and the HTML, which depends only on
 * where the pages are mounted. Every answer is public and cacheable for a day,
 * varies on Accept, is never sniffed and carries the error pages' strict CSP.
 */
export function docsPages(): DocsPages {
  const docs = entries.map(entryDoc);
  const indexJson = JSON.stringify({ problems: docs });
  const pages = new Map(docs.map((doc) => [`/${doc.slug}`, { doc, json: JSON.stringify(doc) }]));
  return {
    answer(path, base, accept, method) {
      const page = pages.get(path);
      if (page === undefined && path !== '/') return undefined;
      if (chooseType(accept) === 'application/json') {
        return pageResponse(JSON_TYPE, page === undefined ? indexJson : page.json, method);
      }
      return pageResponse(
        HTML_TYPE,
        page === undefined ? indexPage(base) : entryPage(page.doc, base),
        method,
      );
    },
  };
}

function pageResponse(type: string, body: string, method: string): ResponsePlan {
  return {
    status: 200,
    statusText: 'OK',
    headers: [
      ['Content-Type', type],
      ['Cache-Control', 'public, max-age=86400'],
      ['Vary', 'Accept'],
      ['X-Content-Type-Options', 'nosniff'],
      ['Content-Security-Policy', HTML_CSP],
      ['Content-Length', String(utf8Length(body))],
    ],
    errorHeaders: 0,
    body,
    // RFC 9110 §9.3.2: HEAD gets the same headers and no content.
    omitBody: method === 'HEAD',
  };
}

function entryDoc(entry: CatalogEntry): EntryDoc {
  return {
    ...entry,
    definition: entry.definition ?? null,
    headers: headersOf(entry),
    example: exampleOf(entry),
  };
}

// What the response policy sends with the status, read from the policy itself.
function headersOf(entry: CatalogEntry): HeaderDoc[] {
  const headers: HeaderDoc[] = [];
  if (entry.retryAfter) {
    headers.push({
      name: 'Retry-After',
      value: 'seconds, or an HTTP-date',
      when: 'when the error is given a retryAfter',
    });
  }
  if (isNoStore(entry, false)) headers.push({ name: 'Cache-Control', value: 'no-store', when: 'always' });
  else if (entry.retryAfter && isNoStore(entry, true)) {
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
