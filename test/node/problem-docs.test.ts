import { createServer } from 'node:http';

import request from 'supertest';

import { catalog, type CatalogEntry, type CatalogStatus } from '../../src/catalog/catalog';
import { errorClasses } from '../../src/errors/classes';
import { HTML_CSP } from '../../src/render/html-page';
import { problemDocs } from '../../src/node/problem-docs';
import { expressVersions } from '../helpers/apps';

const entries = Object.values(catalog);
const JSON_ACCEPT = 'application/json';

function expectDocsHeaders(res: request.Response, type: string): void {
  expect(res.headers['content-type']).toBe(type);
  expect(res.headers.vary).toBe('Accept');
  expect(res.headers['cache-control']).toBe('public, max-age=86400');
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['content-security-policy']).toBe(HTML_CSP);
}

describe.each(expressVersions)('problemDocs() on %s', (_version, express) => {
  const app = express();
  app.use('/problems', problemDocs());
  app.post('/problems/service-unavailable', (_req, res) => {
    res.send('posted');
  });

  it('lists every catalog entry on the index page, linked under the mount path', async () => {
    for (const path of ['/problems', '/problems/', '/problems?x=1']) {
      const res = await request(app).get(path);
      expect(res.status).toBe(200);
      expectDocsHeaders(res, 'text/html; charset=utf-8');
      expect(res.text).toContain('<title>Server errors</title>');
      for (const entry of entries) {
        expect(res.text).toContain(
          `<tr><td>${entry.status}</td><td><a href="/problems/${entry.slug}">${entry.title}</a></td>` +
            `<td><code>${entry.className}</code></td></tr>`,
        );
      }
    }
  });

  it('lists every catalog entry as JSON for clients that ask for it', async () => {
    const res = await request(app).get('/problems').set('Accept', JSON_ACCEPT);
    expectDocsHeaders(res, 'application/json; charset=utf-8');
    const { problems } = res.body as { problems: Array<{ slug: string }> };
    expect(problems.map((p) => p.slug)).toEqual(entries.map((e) => e.slug));
  });

  describe.each(entries.map((entry) => [entry.status, entry] as const))('the page of %i', (status, entry) => {
    it('answers HTML: the status, title, description, definition, headers and class', async () => {
      const res = await request(app).get(`/problems/${entry.slug}`);
      expect(res.status).toBe(200);
      expectDocsHeaders(res, 'text/html; charset=utf-8');
      expect(res.text).toContain(`<title>${status} ${entry.title}</title>`);
      expect(res.text).toContain(`<h1>${status} ${entry.title}</h1>`);
      expect(res.text).toContain(`<p>${entry.description}</p>`);
      if (entry.definition === undefined) expect(res.text).toContain('Not in any RFC');
      else {
        expect(res.text).toContain(
          `<a href="${entry.definition.url}">${entry.definition.rfc}, section ${entry.definition.section}</a>`,
        );
      }
      expect(res.text).toContain(`<code>${entry.className}</code>`);
      expect(res.text).toContain(`throw new ${entry.className}(`);
      expect(res.text).toContain('<a href="/problems/">All server errors</a>');
    });

    it('answers JSON: the catalog entry, its headers and an example that runs', async () => {
      const res = await request(app).get(`/problems/${entry.slug}`).set('Accept', JSON_ACCEPT);
      expectDocsHeaders(res, 'application/json; charset=utf-8');
      const body = res.body as CatalogEntry & { example: string; headers: unknown[] };
      expect(body).toMatchObject({ ...entry, definition: entry.definition ?? null });
      const construct = new Function(entry.className, 'err', body.example.replace(/^throw /, 'return '));
      expect(construct(errorClasses[status as CatalogStatus], new Error('cause')).status).toBe(status);
    });

    it('answers HEAD with the same headers and no body', async () => {
      const get = await request(app).get(`/problems/${entry.slug}`);
      const head = await request(app).head(`/problems/${entry.slug}`);
      expect(head.status).toBe(200);
      expect(head.headers['content-type']).toBe(get.headers['content-type']);
      expect(head.headers['content-length']).toBe(get.headers['content-length']);
      expect(head.text ?? '').toBe('');
    });
  });

  it.each([
    [503, ['Retry-After: seconds, or an HTTP-date', 'Cache-Control: no-store</code>, always']],
    [501, ['Retry-After: seconds, or an HTTP-date', 'Cache-Control: no-store</code>, with a Retry-After']],
    [511, ['Cache-Control: no-store</code>, always']],
  ] as const)('names the headers sent with %i', async (status, headers) => {
    const res = await request(app).get(`/problems/${catalog[status].slug}`);
    for (const header of headers) expect(res.text).toContain(header);
  });

  it('names no special header for a 500', async () => {
    const res = await request(app).get('/problems/internal-server-error');
    expect(res.text).not.toMatch(/Retry-After|no-store/);
  });

  it.each([
    ['service-unavailable', 'RFC 9110 obsoletes RFC 7231'],
    ['variant-also-negotiates', 'RFC 2295 is Experimental.'],
    ['not-extended', 'RFC 2774 is Historic.'],
    ['network-read-timeout-error', 'Not in any RFC'],
    ['network-connect-timeout-error', 'Not in any RFC'],
  ])('notes where /%s stands: %s', async (slug, note) => {
    expect((await request(app).get(`/problems/${slug}`)).text).toContain(note);
  });

  it.each(['*/*', 'text/html', 'text/html,application/json;q=0.9', 'image/png', 'application/problem+json'])(
    'answers HTML to Accept: %s',
    async (accept) => {
      const res = await request(app).get('/problems/bad-gateway').set('Accept', accept);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    },
  );

  it('answers JSON to Accept: application/json;q=1, text/html;q=0.5', async () => {
    const res = await request(app)
      .get('/problems/bad-gateway')
      .set('Accept', 'application/json, text/html;q=0.5');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it.each(['/problems/nope', '/problems/Service-Unavailable', '/problems/service-unavailable/'])(
    'passes %s on to the next handler (a 404 here)',
    async (path) => {
      expect((await request(app).get(path)).status).toBe(404);
    },
  );

  it('passes other methods on', async () => {
    expect((await request(app).post('/problems/service-unavailable')).text).toBe('posted');
    expect((await request(app).delete('/problems')).status).toBe(404);
  });
});

describe('problemDocs() on node:http', () => {
  const docs = problemDocs();
  const server = createServer((req, res) =>
    docs(req, res, () => {
      res.statusCode = 404;
      res.end('next');
    }),
  );

  it('serves from the root, linking there', async () => {
    const res = await request(server).get('/');
    expect(res.text).toContain('<a href="/service-unavailable">Service Unavailable</a>');
    expect((await request(server).get('/service-unavailable')).text).toContain(
      '<a href="/">All server errors</a>',
    );
    expect((await request(server).get('/nope')).text).toBe('next');
  });
});

describe('problemDocs() options', () => {
  it('takes none, or an empty object', () => {
    expect(() => problemDocs()).not.toThrow();
    expect(() => problemDocs({})).not.toThrow();
  });

  it('rejects an unknown option', () => {
    expect(() => problemDocs({ maxAge: 60 } as never)).toThrow(
      expect.objectContaining({ name: 'TypeError', code: 'ERR_SERVER_ERRORS_UNKNOWN_OPTION' }),
    );
  });

  it.each(['x', 42, [], () => undefined])('rejects %p as options', (options) => {
    expect(() => problemDocs(options as never)).toThrow(
      expect.objectContaining({ name: 'TypeError', code: 'ERR_SERVER_ERRORS_INVALID_OPTIONS' }),
    );
  });

  it('explains app.use(problemDocs) without the call', () => {
    const req = { method: 'GET', url: '/', headers: {} };
    expect(() => problemDocs(req as never)).toThrow(/app\.use\(problemDocs\(\)\)/);
  });
});
