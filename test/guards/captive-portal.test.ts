import type express5 from 'express';
import request from 'supertest';

import { captivePortal, type CaptivePortalOptions } from '../../src/guards/captive-portal';
import { catalog } from '../../src/catalog/catalog';
import { NetworkAuthenticationRequired } from '../../src/errors/classes';
import { serverErrors } from '../../src/node/middleware';
import { expressVersions } from '../helpers/apps';
import { caught } from '../helpers/caught';
import { closeServers, listenLocally } from '../helpers/local-server';
import { problemOf } from '../helpers/problem';

const signedIn = (req: express5.Request) => req.get('x-session') === 'ok';

describe.each(expressVersions)('captivePortal() on %s', (_version, express) => {
  afterEach(closeServers);

  async function serve(options: CaptivePortalOptions<express5.Request>) {
    const app = express();
    app.use(captivePortal(options));
    app.use((req, res) => {
      res.json({ reached: req.originalUrl });
    });
    app.use(serverErrors());
    return request(await listenLocally(app));
  }

  it('lets an authenticated client through', async () => {
    const client = await serve({ isAuthenticated: signedIn, loginUrl: '/login' });
    const res = await client.get('/news').set('x-session', 'ok');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ reached: '/news' });
  });

  it('answers anyone else with a 511 problem carrying the login URL, never stored', async () => {
    const client = await serve({ isAuthenticated: signedIn, loginUrl: 'https://wifi.example.net/login' });
    const res = await client.get('/news?page=2');
    expect(res.status).toBe(511);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(problemOf(res)).toMatchObject({
      type: catalog[511].definition?.url,
      title: 'Network Authentication Required',
      status: 511,
      detail: 'Log in to the network to continue.',
      instance: '/news',
      loginUrl: 'https://wifi.example.net/login',
    });
    expect(res.text).not.toContain('captivePortal()');
  });

  it('sends the detail it is given', async () => {
    const client = await serve({
      isAuthenticated: signedIn,
      loginUrl: '/login',
      detail: 'Accept the terms.',
    });
    expect(problemOf(await client.get('/')).detail).toBe('Accept the terms.');
  });

  it.each([
    ['a truthy string', 'yes'],
    ['1', 1],
    ['a promise', Promise.resolve(true)],
    ['undefined', undefined],
  ])('treats %s from isAuthenticated as not logged in', async (_name, answer) => {
    const client = await serve({ isAuthenticated: () => answer as unknown as boolean, loginUrl: '/login' });
    expect((await client.get('/news')).status).toBe(511);
  });

  it('lets the login page through when loginUrl is a path, so clients can log in', async () => {
    const client = await serve({ isAuthenticated: signedIn, loginUrl: '/portal/login?from=511' });
    expect((await client.get('/portal/login')).status).toBe(200);
    expect((await client.post('/portal/login?user=a')).status).toBe(200);
    expect((await client.get('/portal/login/other')).status).toBe(511);
    expect((await client.get('/portal')).status).toBe(511);
  });

  it('lets the login page through however the router would route to it', async () => {
    const client = await serve({ isAuthenticated: signedIn, loginUrl: '/portal/login' });
    expect((await client.get('/portal/login/')).status).toBe(200);
    expect((await client.get('/Portal/Login')).status).toBe(200);
  });

  it('lets no path through when loginUrl points to another host', async () => {
    const client = await serve({ isAuthenticated: signedIn, loginUrl: 'https://wifi.example.net/login' });
    expect((await client.get('/login')).status).toBe(511);
  });
});

describe('captivePortal errors', () => {
  it('hands next a NetworkAuthenticationRequired whose log message names the guard', () => {
    const next = jest.fn();
    captivePortal({ isAuthenticated: () => false, loginUrl: '/login' })(
      { url: '/x', headers: {} } as never,
      {} as never,
      next,
    );
    const [error] = next.mock.calls[0] as [NetworkAuthenticationRequired];
    expect(error).toBeInstanceOf(NetworkAuthenticationRequired);
    expect(error.message).toBe('captivePortal(): not logged in to the network');
    expect(error.loginUrl).toBe('/login');
  });
});

describe('captivePortal options', () => {
  const isAuthenticated = () => true;

  it('accepts a path or an absolute http(s) loginUrl', () => {
    expect(() => captivePortal({ isAuthenticated, loginUrl: '/login' })).not.toThrow();
    expect(() =>
      captivePortal({ isAuthenticated, loginUrl: 'http://10.0.0.1/login', detail: 'Log in.' }),
    ).not.toThrow();
  });

  it.each([
    [
      { loginUrl: '/login' },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "isAuthenticated" must be a function \(req\) => boolean; received undefined\./,
    ],
    [
      { isAuthenticated: true, loginUrl: '/login' },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "isAuthenticated" must be a function \(req\) => boolean; received true\./,
    ],
    [
      { isAuthenticated },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "loginUrl" must be an absolute http\(s\) URL or a path starting with "\/"; received undefined\./,
    ],
    [
      { isAuthenticated, loginUrl: 'javascript:alert(1)' },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "loginUrl" must be an absolute http\(s\) URL .*; received "javascript:alert\(1\)"\./,
    ],
    [
      // The rule of NetworkAuthenticationRequired and of the 511 page's link: one rule.
      { isAuthenticated, loginUrl: '/a\\b' },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "loginUrl" must be .*; received "\/a\\\\b"\./,
    ],
    [
      { isAuthenticated, loginUrl: '//evil.example/login' },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "loginUrl" must be .*; received "\/\/evil\.example\/login"\./,
    ],
    [
      { isAuthenticated, loginUrl: 'login' },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "loginUrl" must be .*; received "login"\./,
    ],
    [
      { isAuthenticated, loginUrl: 42 },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "loginUrl" must be .*; received 42\./,
    ],
    [
      { isAuthenticated, loginUrl: '/login', detail: '' },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "detail" must be a non-empty string; received ""\./,
    ],
    [
      { isAuthenticated, loginUrl: '/login', loginURL: '/login' },
      TypeError,
      'ERR_SERVER_ERRORS_UNKNOWN_OPTION',
      /unknown option "loginURL"\. Did you mean "loginUrl"\? Known options: isAuthenticated, loginUrl, detail\./,
    ],
    [
      undefined,
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "isAuthenticated" must be .*; received undefined\.\nAlso:\n- captivePortal\(\): option "loginUrl"/,
    ],
  ])('refuses %p at start-up with a %p', (options, Kind, code, message) => {
    const error = caught(() => captivePortal(options as never));
    expect(error).toBeInstanceOf(Kind);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(/^captivePortal\(\): /);
    expect(error.message).toMatch(message);
  });

  it('explains app.use(captivePortal) written without the call', () => {
    const req = { method: 'GET', url: '/', headers: {}, socket: {} };
    const error = caught(() => (captivePortal as (req: unknown) => unknown)(req));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe('ERR_SERVER_ERRORS_NOT_CALLED');
    expect(error.message).toContain('app.use(captivePortal())');
  });
});
