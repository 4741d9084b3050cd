import { AsyncLocalStorage } from 'node:async_hooks';

import request from 'supertest';

import type { Guard } from '../../src/guards/guard';
import { captivePortal } from '../../src/guards/captive-portal';
import { guards } from '../../src/guards/guards';
import { loopGuard } from '../../src/guards/loop-guard';
import { maintenance } from '../../src/guards/maintenance';
import { methods } from '../../src/guards/methods';
import { timeout } from '../../src/guards/timeout';
import { serverErrors } from '../../src/node/middleware';
import { expressVersions } from '../helpers/apps';
import { caught } from '../helpers/caught';
import { problemOf } from '../helpers/problem';

/** A guard that notes its name on the request and lets it through. */
function noting(name: string): Guard {
  return (req, _res, next) => {
    ((req as unknown as { seen: string[] }).seen ??= []).push(name);
    next();
  };
}

describe.each(expressVersions)('guards() on %s', (_version, express) => {
  function appWith(...list: Guard[]) {
    const app = express();
    app.use(guards(...list));
    app.get('/ok', (req, res) => {
      res.json({ seen: (req as unknown as { seen?: string[] }).seen ?? [] });
    });
    app.use(serverErrors({ log: false }));
    return app;
  }

  it('runs every guard in order, then the route', async () => {
    const res = await request(appWith(noting('a'), methods(), noting('b'), noting('c'))).get('/ok');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ seen: ['a', 'b', 'c'] });
  });

  it("answers the first guard's refusal through serverErrors() and runs none after it", async () => {
    let after = 0;
    const app = appWith(noting('a'), maintenance({ retryAfter: 60 }), () => void after++);
    const res = await request(app).get('/ok');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('60');
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(problemOf(res).status).toBe(503);
    expect(after).toBe(0);
  });

  it('answers a guard that throws, or whose promise rejects, as a refusal', async () => {
    const thrown = Object.assign(new Error('thrown'), { status: 507 });
    const rejected = Object.assign(new Error('rejected'), { status: 508 });
    expect(
      (
        await request(
          appWith(() => {
            throw thrown;
          }),
        ).get('/ok')
      ).status,
    ).toBe(507);
    const asyncGuard = (async () => {
      await Promise.resolve();
      throw rejected;
    }) as unknown as Guard;
    expect((await request(appWith(asyncGuard)).get('/ok')).status).toBe(508);
  });

  it('does not let a request through a guard that throws a falsy value', async () => {
    const res = await request(
      appWith(() => {
        throw undefined;
      }),
    ).get('/ok');
    expect(res.status).toBe(500);
  });

  it("answers a throw from a guard's own callback as a refusal and runs none after it", async () => {
    // The package's guards that decide on the spot run as a loop of checks, not as middlewares.
    const thrown = Object.assign(new Error('session store down'), { status: 507 });
    let after = 0;
    const portal = captivePortal({
      isAuthenticated: () => {
        throw thrown;
      },
      loginUrl: '/login',
    });
    const res = await request(appWith(methods(), portal, methods(), () => void after++)).get('/ok');
    expect(res.status).toBe(507);
    expect(after).toBe(0);
  });

  it('runs checks and middlewares in the order given, whichever kind comes first', async () => {
    const seen = await request(
      appWith(
        methods(),
        noting('a'),
        maintenance({ enabled: false }),
        loopGuard({ id: 'edge' }),
        noting('b'),
      ),
    ).get('/ok');
    expect(seen.body).toEqual({ seen: ['a', 'b'] });
    // A check after a middleware still runs, and still refuses.
    const looped = await request(appWith(noting('a'), loopGuard({ id: 'edge' })))
      .get('/ok')
      .set('CDN-Loop', 'edge');
    expect(looped.status).toBe(508);
  });

  it('lets every request through a list of guards that let every request through', async () => {
    const res = await request(appWith(maintenance({ enabled: false }), maintenance({ enabled: false }))).get(
      '/ok',
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ seen: [] });
  });

  it('keeps timeout() working inside it: the deadline answers a route that never does', async () => {
    const app = express();
    app.use(guards(methods(), timeout(30)));
    app.get('/slow', () => undefined);
    app.use(serverErrors({ log: false }));
    const res = await request(app).get('/slow');
    expect(res.status).toBe(503);
    expect(problemOf(res).detail).toBe('The server did not finish the request in time.');
  });

  it("runs the route in the request's async context", async () => {
    const store = new AsyncLocalStorage<string>();
    const app = express();
    app.use((_req, _res, next) => store.run('request-1', next));
    app.use(guards(methods(), timeout(1000)));
    app.get('/ok', (_req, res) => {
      res.json({ store: store.getStore() ?? null });
    });
    app.use(serverErrors({ log: false }));
    expect((await request(app).get('/ok')).body).toEqual({ store: 'request-1' });
  });
});

describe('guards() options', () => {
  it('refuses an empty list at start-up', () => {
    const error = caught(() => guards());
    expect(error).toBeInstanceOf(RangeError);
    expect(error.code).toBe('ERR_SERVER_ERRORS_INVALID_OPTION');
    expect(error.message).toBe(
      'guards(...guards): from 1 to 100 guards, such as guards(methods(), timeout(5000)); received 0.',
    );
  });

  it('refuses more than 100 guards', () => {
    const list = Array.from({ length: 101 }, () => noting('x'));
    expect(caught(() => guards(...list)).message).toMatch(/from 1 to 100 guards.*received 101\.$/);
  });

  it('names the guard that is not a middleware, such as a guard factory passed uncalled', () => {
    const error = caught(() => guards(methods(), 'methods' as unknown as Guard));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe('ERR_SERVER_ERRORS_INVALID_OPTION');
    expect(error.message).toBe(
      'guards(...guards): guard 2 must be a middleware (req, res, next) => void, such as methods(); received "methods".',
    );
  });
});
