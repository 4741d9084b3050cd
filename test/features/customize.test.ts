import request from 'supertest';

import { BadGateway } from '../../src/errors/classes';
import { serverErrors } from '../../src/node/middleware';
import type { ServerErrorsOptions } from '../../src/node/options';
import { expressVersions } from '../helpers/apps';
import { problemOf } from '../helpers/problem';

describe.each(expressVersions)('customize on %s', (_version, express) => {
  const appWith = (customize: NonNullable<ServerErrorsOptions['customize']>) => {
    const app = express();
    app.get('/fail', () => {
      throw new BadGateway({ detail: 'Upstream down.' });
    });
    app.use(serverErrors({ log: false, traceId: false, customize }));
    return app;
  };

  it('may add and change members', async () => {
    const res = await request(
      appWith((problem, { req, err }) => {
        problem.tenant = req.headers['x-tenant'];
        problem.title = 'Upstream failure';
        problem.errorName = (err as Error).name;
      }),
    )
      .get('/fail')
      .set('X-Tenant', 'acme');
    expect(problemOf(res)).toMatchObject({
      tenant: 'acme',
      title: 'Upstream failure',
      errorName: 'BadGateway',
    });
  });

  it('may return a new problem', async () => {
    const res = await request(appWith((problem) => ({ ...problem, detail: 'Replaced.' }))).get('/fail');
    expect(problemOf(res).detail).toBe('Replaced.');
  });

  it.each([
    ['a string', 'replaced'],
    ['a number', 42],
  ])('sends the problem it was given when it returns %s', async (_what, returned) => {
    const res = await request(appWith(() => returned as never)).get('/fail');
    expect(problemOf(res)).toEqual({
      type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.3',
      title: 'Bad Gateway',
      status: 502,
      detail: 'Upstream down.',
      instance: '/fail',
    });
  });

  it('cannot change the status or reach a prototype', async () => {
    const res = await request(
      appWith(
        (problem) =>
          Object.assign(
            JSON.parse('{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}'),
            {
              ...problem,
              status: 200,
              type: 42,
              detail: { not: 'a string' },
            },
          ) as typeof problem,
      ),
    ).get('/fail');
    expect(res.status).toBe(502);
    const problem = problemOf(res);
    expect(problem).toMatchObject({
      status: 502,
      type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.3',
    });
    expect(problem).not.toHaveProperty('detail');
    expect(res.text).not.toContain('polluted');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('sends the uncustomized problem and reports the failure when it throws', async () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const res = await request(
        appWith((problem) => {
          problem.half = 'done';
          throw new Error('customize broke');
        }),
      ).get('/fail');
      expect(res.status).toBe(502);
      expect(problemOf(res)).toMatchObject({ detail: 'Upstream down.' });
      expect(String(warn.mock.calls[0]?.[0])).toMatch(/the customize function threw: customize broke/);
    } finally {
      warn.mockRestore();
    }
  });
});
