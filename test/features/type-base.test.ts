import createError from 'http-errors';
import request from 'supertest';

import { catalog } from '../../src/catalog/catalog';
import { ServiceUnavailable } from '../../src/errors/classes';
import { serverErrors } from '../../src/node/middleware';
import { statusPlanner } from '../../src/describe/status-plan';
import { expressVersions } from '../helpers/apps';
import { caught } from '../helpers/caught';
import { problemOf } from '../helpers/problem';

describe.each(expressVersions)('typeBase on %s', (_version, express) => {
  const app = express();
  app.get('/503', () => {
    throw new ServiceUnavailable();
  });
  app.get('/404', () => {
    throw createError(404);
  });
  app.use(serverErrors({ log: false, typeBase: 'https://api.example.com/problems' }));

  it('makes type a URL under your own site', async () => {
    expect(problemOf(await request(app).get('/503')).type).toBe(
      'https://api.example.com/problems/service-unavailable',
    );
  });

  it('leaves statuses outside the catalog on the spec links', async () => {
    expect(problemOf(await request(app).get('/404')).type).toBe(
      'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.5',
    );
  });
});

describe('typeBase', () => {
  it('joins the base and the slug with exactly one slash', () => {
    for (const base of ['https://x.example/p/', 'https://x.example/p']) {
      const plan = statusPlanner('spec', base);
      for (const entry of Object.values(catalog)) {
        expect(plan(entry.status).type).toBe(`https://x.example/p/${entry.slug}`);
      }
    }
  });

  it.each(['/problems/', 'ftp://x.example/', 'not a url', 42])('refuses %p at start-up', (typeBase) => {
    const error = caught(() => serverErrors({ typeBase: typeBase as string }));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/option "typeBase" must be an absolute http\(s\) URL/);
  });
});
