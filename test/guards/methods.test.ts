import createError from 'http-errors';
import type express5 from 'express';
import request from 'supertest';

import { methods, type MethodsOptions } from '../../src/guards/methods';
import { serverErrors } from '../../src/node/middleware';
import { expressVersions, throwing } from '../helpers/apps';
import { caught } from '../helpers/caught';
import { problemOf } from '../helpers/problem';

/** Sends any method Node's parser accepts: supertest has a function for each of `http.METHODS`. */
function send(app: express5.Express, method: string, path: string): request.Test {
  const agent = request(app) as unknown as Record<string, (url: string) => request.Test>;
  return agent[method.toLowerCase()]!(path);
}

describe.each(expressVersions)('methods() on %s', (_version, express) => {
  function appWith(options?: MethodsOptions) {
    const app = express();
    app.use(methods(options));
    app.get('/items', (_req, res) => {
      res.send('items');
    });
    // A method the server knows but this resource does not support: the router's business.
    app.all('/items', throwing(createError(405, { headers: { Allow: 'GET, HEAD' } })));
    app.all('/any', (req, res) => {
      res.send(`handled ${req.method}`);
    });
    app.use(serverErrors());
    return app;
  }
  const app = appWith();

  it.each(['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'PATCH'])(
    'lets the standard method %s through',
    async (method) => {
      const res = await send(app, method, '/any');
      expect(res.status).toBe(200);
      expect(res.text).toBe(`handled ${method}`);
    },
  );

  it('lets HEAD through', async () => {
    expect((await send(app, 'HEAD', '/any')).status).toBe(200);
  });

  it.each(['PROPFIND', 'MKCOL', 'PURGE', 'LINK', 'QUERY'])(
    'answers 501 to %s, a method Node parses but the server does not know',
    async (method) => {
      const res = await send(app, method, '/any');
      expect(res.status).toBe(501);
      expect(problemOf(res)).toMatchObject({
        title: 'Not Implemented',
        detail: `This server does not implement the ${method} method.`,
        instance: '/any',
      });
      expect(res.headers.allow).toBeUndefined();
      expect(res.text).not.toContain('handled');
    },
  );

  it('leaves a known method a route does not support to the 405 and its Allow header', async () => {
    const res = await send(app, 'DELETE', '/items');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
    expect(problemOf(res).title).toBe('Method Not Allowed');
  });

  it('answers an unknown method with 501 even where a route would answer 405', async () => {
    expect((await send(app, 'PROPFIND', '/items')).status).toBe(501);
  });

  describe('with its own list', () => {
    const dav = appWith({ known: ['GET', 'HEAD', 'POST', 'PROPFIND'] });

    it('lets the listed methods through', async () => {
      expect((await send(dav, 'PROPFIND', '/any')).text).toBe('handled PROPFIND');
      expect((await send(dav, 'POST', '/any')).status).toBe(200);
    });

    it('answers 501 to a standard method left out of it', async () => {
      const res = await send(dav, 'DELETE', '/any');
      expect(res.status).toBe(501);
      expect(problemOf(res).detail).toBe('This server does not implement the DELETE method.');
    });
  });
});

describe('methods() options', () => {
  it('accepts no options and a list with GET and HEAD', () => {
    expect(() => methods()).not.toThrow();
    expect(() => methods({ known: ['HEAD', 'GET', 'M-SEARCH'] })).not.toThrow();
  });

  it.each([
    [
      { known: 'GET' },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "known" must be an array of method names that includes "GET" and "HEAD" .*; received "GET"\./,
    ],
    [
      { known: ['POST', 'PUT'] },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "known" must be an array .* "GET" and "HEAD" \(RFC 9110 §9\.1 requires both\); received \["POST","PUT"\]\.$/,
    ],
    [{ known: [] }, TypeError, 'ERR_SERVER_ERRORS_INVALID_OPTION', /option "known" .*; received \[\]\./],
    [
      { known: ['GET', 'POST'] },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /received \["GET","POST"\]\.$/,
    ],
    [
      { known: ['HEAD', 'POST'] },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /received \["HEAD","POST"\]\.$/,
    ],
    [
      { known: ['GET', 'head'] },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /received \["GET","head"\]\. Methods are case-sensitive: write "GET" and "HEAD"\./,
    ],
    [
      { known: ['get', 'head'] },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /received \["get","head"\]\. Methods are case-sensitive: write "GET" and "HEAD"\./,
    ],
    [
      { known: ['GET', 'HEAD', 'PROP FIND'] },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "known\[2\]" must be a method name: a token .*; received "PROP FIND"\./,
    ],
    [
      { known: ['GET', 'HEAD', 7] },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /"known\[2\]" .*; received 7\./,
    ],
    [
      { know: [] },
      TypeError,
      'ERR_SERVER_ERRORS_UNKNOWN_OPTION',
      /unknown option "know"\. Did you mean "known"\?/,
    ],
    [
      'GET',
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTIONS',
      /the options must be an options object; received "GET"/,
    ],
    [
      { method: 'GET', url: '/', headers: {}, socket: {} },
      TypeError,
      'ERR_SERVER_ERRORS_NOT_CALLED',
      /app\.use\(methods\(\)\)/,
    ],
  ])('refuses %p at start-up with a %p', (options, Kind, code, message) => {
    const error = caught(() => methods(options as never));
    expect(error).toBeInstanceOf(Kind);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(/^methods\(\): |^methods received/);
    expect(error.message).toMatch(message);
  });
});
