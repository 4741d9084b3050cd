import { createServer } from 'node:http';

import { createProxyMiddleware } from 'http-proxy-middleware';
import request from 'supertest';

import { loopGuard, type LoopGuardOptions } from '../../src/guards/loop-guard';
import { serverErrors } from '../../src/node/middleware';
import { proxyErrorHandler } from '../../src/node/proxy-error-handler';
import { expressVersions } from '../helpers/apps';
import { caught } from '../helpers/caught';
import { problemOf } from '../helpers/problem';
import { closeServer, listen } from '../helpers/upstreams';

describe.each(expressVersions)('loopGuard() on %s', (_version, express) => {
  function appWith(options: LoopGuardOptions) {
    const app = express();
    app.use(loopGuard(options));
    app.get('/echo', (req, res) => {
      res.json({ cdnLoop: req.headers['cdn-loop'] ?? null });
    });
    app.use(serverErrors());
    return app;
  }
  const app = appWith({ id: 'api-gateway' });

  it('does not log its refusal, as no guard does: any client can forge the headers', async () => {
    const logged: unknown[] = [];
    const quiet = express();
    quiet.use(loopGuard({ id: 'api-gateway' }));
    quiet.use(serverErrors({ log: (record) => logged.push(record) }));
    expect((await request(quiet).get('/').set('CDN-Loop', 'api-gateway')).status).toBe(508);
    expect((await request(quiet).get('/').set('Via', Array(12).fill('1.1 hop').join(', '))).status).toBe(508);
    expect(logged).toEqual([]);
  });

  it('lets a first visit through and marks it in CDN-Loop for the next hop', async () => {
    const res = await request(app).get('/echo');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ cdnLoop: 'api-gateway' });
  });

  it('appends its id to the CDN-Loop entries already there', async () => {
    const res = await request(app).get('/echo').set('CDN-Loop', 'edge.example.net; ver=2, cdn-b');
    expect(res.body).toEqual({ cdnLoop: 'edge.example.net; ver=2, cdn-b, api-gateway' });
  });

  it('reads CDN-Loop sent as several header lines', async () => {
    const passed = await request(app)
      .get('/echo')
      .set({ 'CDN-Loop': ['cdn-a', 'cdn-b'] });
    expect(passed.body).toEqual({ cdnLoop: 'cdn-a, cdn-b, api-gateway' });
    const looped = await request(app)
      .get('/echo')
      .set({ 'CDN-Loop': ['cdn-a', 'api-gateway'] });
    expect(looped.status).toBe(508);
  });

  it.each([
    ['CDN-Loop', 'api-gateway'],
    ['CDN-Loop', 'edge.example.net, API-Gateway'],
    ['CDN-Loop', 'edge.example.net; ver=2, api-gateway; hops=1; note="a, b"'],
    ['CDN-Loop', 'edge.example.net,api-gateway  ;x=1'],
    ['Via', '1.1 api-gateway'],
    ['Via', 'HTTP/1.1 edge (cache, v2), 2.0 API-GATEWAY (Express)'],
    ['Via', '1.1   api-gateway'],
    // A quote inside a comment opens no quoted string; a stray ")" closes no comment.
    ['Via', '1.1 edge (a "quote), 1.1 api-gateway'],
    ['Via', '1.1 edge), 1.1 api-gateway'],
  ])('answers 508 when %s already names it: %s', async (header, value) => {
    const res = await request(app).get('/echo').set(header, value);
    expect(res.status).toBe(508);
    expect(problemOf(res)).toMatchObject({
      title: 'Loop Detected',
      detail: `The request came back to a server it had already passed through (its ${header} header names it): the proxies on its path form a loop.`,
    });
    expect(res.text.toLowerCase()).not.toContain('api-gateway');
  });

  it.each([
    ['CDN-Loop', 'api-gateway-2'],
    ['CDN-Loop', 'edge; note="x, api-gateway; y"'],
    ['CDN-Loop', 'edge; note="a \\", api-gateway; b="'],
    ['CDN-Loop', 'edge; api-gateway'],
    ['Via', '1.1 edge (a, 1.1 api-gateway b)'],
    ['Via', 'api-gateway/1.1 edge'],
  ])('is not fooled by %s: %s', async (header, value) => {
    expect((await request(app).get('/echo').set(header, value)).status).toBe(200);
  });

  describe('maxHops', () => {
    const three = appWith({ id: 'api-gateway', maxHops: 3 });

    it.each([
      ['CDN-Loop', 'a, b, c'],
      ['CDN-Loop', 'a, , b,, c,'],
      ['Via', '1.1 a, 1.1 b (one, two), 1.1 c'],
    ])('lets %s with three hops through: %s', async (header, value) => {
      expect((await request(three).get('/echo').set(header, value)).status).toBe(200);
    });

    it.each([
      ['CDN-Loop', 'a, b, c, d'],
      ['Via', '1.1 a, 1.1 b, 1.1 c, 1.1 d'],
    ])('answers 508 to %s with four: %s', async (header, value) => {
      const res = await request(three).get('/echo').set(header, value);
      expect(res.status).toBe(508);
      expect(problemOf(res).detail).toBe(
        'The request passed through 4 proxies, more than the 3 this server accepts: the proxies on its path probably form a loop.',
      );
    });

    it('defaults to 10', async () => {
      const hops = (n: number) => Array.from({ length: n }, (_, i) => `cdn-${i}`).join(', ');
      expect((await request(app).get('/echo').set('CDN-Loop', hops(10))).status).toBe(200);
      expect((await request(app).get('/echo').set('CDN-Loop', hops(11))).status).toBe(508);
    });
  });

  it('stops a real loop between two proxies with a 508', async () => {
    const servers = [createServer(), createServer()];
    const [portA, portB] = [await listen(servers[0]!), await listen(servers[1]!)];
    const arrivals: string[] = [];
    const proxy = (id: string, port: number) => {
      const service = express();
      service.use((req, _res, next) => {
        arrivals.push(`${id} <- ${req.headers['cdn-loop'] ?? ''}`);
        next();
      });
      service.use(loopGuard({ id }));
      service.use(
        createProxyMiddleware({ target: `http://127.0.0.1:${port}`, on: { error: proxyErrorHandler() } }),
      );
      service.use(serverErrors());
      return service;
    };
    servers[0]!.on('request', proxy('service-a', portB!));
    servers[1]!.on('request', proxy('service-b', portA!));
    try {
      const res = await request(`http://127.0.0.1:${portA}`).get('/orders');
      expect(res.status).toBe(508);
      expect(problemOf(res)).toMatchObject({ title: 'Loop Detected', instance: '/orders' });
      expect(arrivals).toEqual([
        'service-a <- ',
        'service-b <- service-a',
        'service-a <- service-a, service-b',
      ]);
    } finally {
      await Promise.all(servers.map(closeServer));
    }
  });
});

describe('loopGuard() options', () => {
  it.each([
    'api-gateway',
    'edge.example.com',
    'edge.example.com:8443',
    '[2001:db8::1]:443',
    "a!#$%&'*+.^_`|~-z",
  ])('accepts the id %p', (id) => {
    expect(() => loopGuard({ id })).not.toThrow();
  });

  it.each([
    [
      undefined,
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "id" must be a host, .*; received undefined\./,
    ],
    [{ id: '' }, TypeError, 'ERR_SERVER_ERRORS_INVALID_OPTION', /option "id" must be .*; received ""\./],
    [{ id: 'api gateway' }, TypeError, 'ERR_SERVER_ERRORS_INVALID_OPTION', /received "api gateway"\./],
    [
      { id: 'a,b' },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /without spaces, commas, semicolons or quotes/,
    ],
    [{ id: 'a;b' }, TypeError, 'ERR_SERVER_ERRORS_INVALID_OPTION', /received "a;b"\./],
    [{ id: '"a"' }, TypeError, 'ERR_SERVER_ERRORS_INVALID_OPTION', /received "\\"a\\""\./],
    [{ id: 42 }, TypeError, 'ERR_SERVER_ERRORS_INVALID_OPTION', /option "id" must be .*; received 42\./],
    [
      { id: 'x', maxHops: 0 },
      RangeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "maxHops" must be an integer of at least 1; received 0\./,
    ],
    [
      { id: 'x', maxHops: 2.5 },
      RangeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /"maxHops" .*; received 2\.5\./,
    ],
    [
      { id: 'x', maxHops: '10' },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /"maxHops" .*; received "10"\./,
    ],
    [
      { id: 'x', maxhops: 3 },
      TypeError,
      'ERR_SERVER_ERRORS_UNKNOWN_OPTION',
      /unknown option "maxhops"\. Did you mean "maxHops"\?/,
    ],
    [
      { method: 'GET', url: '/', headers: {}, socket: {} },
      TypeError,
      'ERR_SERVER_ERRORS_NOT_CALLED',
      /app\.use\(loopGuard\(\)\)/,
    ],
  ])('refuses %p at start-up with a %p', (options, Kind, code, message) => {
    const error = caught(() => loopGuard(options as never));
    expect(error).toBeInstanceOf(Kind);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(/^loopGuard\(\): |^loopGuard received/);
    expect(error.message).toMatch(message);
  });
});
