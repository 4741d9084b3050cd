import createError from 'http-errors';
import request from 'supertest';

import { catalog } from '../../src/catalog/catalog';
import {
  errorClasses,
  NetworkAuthenticationRequired,
  NotImplemented,
  ServiceUnavailable,
} from '../../src/errors/classes';
import { serverErrors } from '../../src/node/middleware';
import { expressVersions } from '../helpers/apps';

const FORMATS = [
  ['application/problem+json', 'application/problem+json; charset=utf-8'],
  ['application/json', 'application/json; charset=utf-8'],
  ['application/problem+xml', 'application/problem+xml; charset=utf-8'],
  ['application/xml', 'application/xml; charset=utf-8'],
  ['text/html', 'text/html; charset=utf-8'],
  ['text/plain', 'text/plain; charset=utf-8'],
] as const;

const SECRET = 'password=hunter2';
const statuses = Object.keys(errorClasses).map(Number) as Array<keyof typeof errorClasses>;

function errorFor(status: keyof typeof errorClasses) {
  const options = { detail: 'Public detail.', message: SECRET, cause: new Error(`${SECRET} cause`) };
  if (status === 503) return new ServiceUnavailable(120, options);
  if (status === 501) return new NotImplemented(60, options);
  if (status === 511)
    return new NetworkAuthenticationRequired({ ...options, loginUrl: 'https://wifi.example/login' });
  return new errorClasses[status](options);
}

describe.each(expressVersions)('content negotiation on %s', (_version, express) => {
  const app = express();
  for (const status of statuses) {
    app.get(`/${status}`, () => {
      throw errorFor(status);
    });
  }
  app.get('/404', () => {
    throw createError(404, 'No such thing.');
  });
  app.use(serverErrors({ log: false }));

  describe.each(FORMATS)('asking for %s', (accept, contentType) => {
    it.each(statuses)('answers %i with the same rules', async (status) => {
      const entry = catalog[status];
      const res = await request(app).get(`/${status}`).set('Accept', accept);
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toBe(contentType);
      expect(res.headers.vary).toBe('Accept');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['retry-after']).toBe(status === 503 ? '120' : status === 501 ? '60' : undefined);
      expect(res.headers['cache-control']).toBe(entry.noStore || entry.retryAfter ? 'no-store' : undefined);
      expect(res.text).toContain(entry.title);
      expect(res.text).toContain('Public detail.');
      expect(res.text).not.toContain('hunter2');
      expect(res.text).not.toMatch(/\n\s+at /);
      expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.text));
    });

    it('answers HEAD with the same headers and no body', async () => {
      const get = await request(app).get('/503').set('Accept', accept);
      const head = await request(app).head('/503').set('Accept', accept);
      expect(head.headers['content-type']).toBe(contentType);
      expect(head.headers['content-length']).toBe(get.headers['content-length']);
      expect(head.text ?? '').toBe('');
    });
  });

  it.each([
    ['no Accept header', undefined, 'application/problem+json; charset=utf-8'],
    ['*/*', '*/*', 'application/problem+json; charset=utf-8'],
    ['application/*', 'application/*', 'application/problem+json; charset=utf-8'],
    ['nothing it can serve', 'image/png', 'application/problem+json; charset=utf-8'],
    ['JSON preferred over HTML', 'text/html;q=0.5, application/json', 'application/json; charset=utf-8'],
    [
      'what a browser sends',
      'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
      'text/html; charset=utf-8',
    ],
    ['what curl sends', '*/*', 'application/problem+json; charset=utf-8'],
    [
      'the first of two equal choices',
      'application/json, application/problem+json',
      'application/json; charset=utf-8',
    ],
    [
      'problem+json listed first',
      'application/problem+json, application/json',
      'application/problem+json; charset=utf-8',
    ],
    ['a malformed header', ';;;,,,q=x', 'application/problem+json; charset=utf-8'],
  ])('answers problem+json or the best match for %s', async (_name, accept, contentType) => {
    const req = request(app).get('/500');
    const res = await (accept === undefined ? req : req.set('Accept', accept));
    expect(res.headers['content-type']).toBe(contentType);
  });

  it('sends the same JSON body as problem+json when the client asks for plain JSON', async () => {
    const problem = await request(app).get('/502').set('Accept', 'application/problem+json');
    const json = await request(app).get('/502').set('Accept', 'application/json');
    expect(JSON.parse(json.text)).toEqual({ ...JSON.parse(problem.text), traceId: expect.any(String) });
  });

  it('sends an HTML page with a Content-Security-Policy that forbids scripts', async () => {
    const res = await request(app).get('/503').set('Accept', 'text/html');
    expect(res.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(res.headers['content-security-policy']).not.toMatch(/script-src/);
    expect(res.text).toMatch(/<!DOCTYPE html>/i);
  });

  it('sends XML in the RFC 9457 namespace', async () => {
    const res = await request(app).get('/503').set('Accept', 'application/problem+xml');
    expect(res.text).toContain('<problem xmlns="urn:ietf:rfc:7807">');
    expect(res.text).toContain('<status>503</status>');
  });

  it('renders a 4xx in every format too', async () => {
    for (const [accept] of FORMATS) {
      const res = await request(app).get('/404').set('Accept', accept);
      expect(res.status).toBe(404);
      expect(res.text).toContain('No such thing.');
    }
  });

  it('adds Accept to a Vary the route already set', async () => {
    const varied = express();
    varied.get('/', (_req, res) => {
      res.set('Vary', 'Origin');
      throw new Error('x');
    });
    varied.use(serverErrors({ log: false }));
    expect((await request(varied).get('/')).headers.vary).toBe('Origin, Accept');
  });
});
