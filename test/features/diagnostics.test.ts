import request from 'supertest';

import { BadGateway } from '../../src/errors/classes';
import { serverErrors } from '../../src/node/middleware';
import type { ServerErrorsOptions } from '../../src/node/options';
import { expressVersions } from '../helpers/apps';

const ACCEPTS = ['application/problem+json', 'application/problem+xml', 'text/html', 'text/plain'];

function failure() {
  const root = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' });
  return new BadGateway({
    message: 'orders query failed',
    cause: new Error('pool gave up', { cause: root }),
  });
}

describe.each(expressVersions)('development diagnostics on %s', (_version, express) => {
  const appWith = (options: ServerErrorsOptions) => {
    const app = express();
    app.get('/fail', () => {
      throw failure();
    });
    app.use(serverErrors({ log: false, ...options }));
    return app;
  };

  it('add the message, stack and causes as members of the JSON problem', async () => {
    const res = await request(appWith({ debug: true })).get('/fail');
    const body = JSON.parse(res.text) as Record<string, unknown>;
    expect(body.message).toBe('orders query failed');
    expect(body.stack).toMatch(/^BadGateway: orders query failed\n\s+at failure /);
    expect(body.causes).toEqual([
      expect.objectContaining({ name: 'Error', message: 'pool gave up' }),
      expect.objectContaining({ message: 'connect ECONNREFUSED 10.0.0.5:5432', code: 'ECONNREFUSED' }),
    ]);
  });

  it.each(ACCEPTS)('show in %s when on', async (accept) => {
    const res = await request(appWith({ debug: true }))
      .get('/fail')
      .set('Accept', accept);
    expect(res.status).toBe(502);
    expect(res.text).toContain('orders query failed');
    expect(res.text).toContain('pool gave up');
    expect(res.text).toContain('ECONNREFUSED 10.0.0.5:5432');
    expect(res.text).toMatch(/at failure /);
  });

  it.each(ACCEPTS)('never appear in %s when off', async (accept) => {
    const res = await request(appWith({ debug: false }))
      .get('/fail')
      .set('Accept', accept);
    expect(res.status).toBe(502);
    expect(res.text).not.toMatch(/orders query failed|pool gave up|ECONNREFUSED|at failure/);
  });

  it('are on by default only when NODE_ENV is development', async () => {
    const env = process.env.NODE_ENV;
    try {
      process.env.NODE_ENV = 'development';
      const dev = appWith({});
      process.env.NODE_ENV = 'production';
      const prod = appWith({});
      expect((await request(dev).get('/fail')).text).toContain('orders query failed');
      expect((await request(prod).get('/fail')).text).not.toContain('orders query failed');
    } finally {
      process.env.NODE_ENV = env;
    }
  });
});

describe('debug in production', () => {
  it('warns once at start-up', () => {
    const env = process.env.NODE_ENV;
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      process.env.NODE_ENV = 'production';
      serverErrors({ debug: true });
      serverErrors({ debug: true });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toMatch(/debug is on while NODE_ENV is "production"/);
      expect(warn.mock.calls[0]?.[1]).toEqual({ code: 'SERVER_ERRORS_DEBUG_IN_PRODUCTION' });
    } finally {
      warn.mockRestore();
      process.env.NODE_ENV = env;
    }
  });
});
