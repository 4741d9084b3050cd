import request from 'supertest';

import { notFound } from '../../src/guards/not-found';
import { serverErrors } from '../../src/node/middleware';
import { expressVersions } from '../helpers/apps';
import { caught } from '../helpers/caught';
import { problemOf } from '../helpers/problem';

describe.each(expressVersions)('notFound() on %s', (_version, express) => {
  const logged: unknown[] = [];
  const app = express();
  app.get('/orders', (_req, res) => {
    res.json([]);
  });
  app.use(notFound());
  app.use(serverErrors({ log: (record) => logged.push(record) }));

  it('answers a path no route serves with a 404 problem, without the query in instance', async () => {
    const res = await request(app).get('/missing?token=secret');
    expect(res.status).toBe(404);
    expect(problemOf(res)).toEqual({
      type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.5',
      title: 'Not Found',
      status: 404,
      instance: '/missing',
      traceId: expect.any(String),
    });
    expect(res.text).not.toContain('secret');
  });

  it('answers a method no route serves on a known path the same way', async () => {
    expect((await request(app).post('/orders')).status).toBe(404);
  });

  it('leaves the routes alone', async () => {
    expect((await request(app).get('/orders')).status).toBe(200);
  });

  it('answers HEAD with the same headers and no body', async () => {
    const res = await request(app).head('/missing');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.text).toBeUndefined();
  });

  it.each([
    ['text/html', /<h1>404 Not Found<\/h1>/],
    ['text/plain', /^404 Not Found\n/],
    ['application/problem+xml', /<status>404<\/status>/],
  ])('answers a client that accepts %s in its format', async (accept, body) => {
    const res = await request(app).get('/missing').set('Accept', accept);
    expect(res.status).toBe(404);
    expect(res.text).toMatch(body);
  });

  it('sends the detail it is given, and never logs', async () => {
    const withDetail = express();
    withDetail.use(notFound({ detail: 'No such page.' }));
    withDetail.use(serverErrors({ log: (record) => logged.push(record) }));
    expect(problemOf(await request(withDetail).get('/x')).detail).toBe('No such page.');
    expect(logged).toEqual([]);
  });
});

describe('notFound options', () => {
  it.each([
    [{ detail: '' }, /option "detail" must be a non-empty string; received ""\./],
    [{ detial: 'x' }, /unknown option "detial"\. Did you mean "detail"\?/],
  ])('refuses %p at start-up', (options, message) => {
    const error = caught(() => notFound(options as never));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/^notFound\(\): /);
    expect(error.message).toMatch(message);
  });

  it('explains app.use(notFound) written without the call', () => {
    const error = caught(() =>
      (notFound as (req: unknown) => unknown)({ method: 'GET', url: '/', headers: {}, socket: {} }),
    );
    expect(error.code).toBe('ERR_SERVER_ERRORS_NOT_CALLED');
    expect(error.message).toContain('app.use(notFound())');
  });
});
