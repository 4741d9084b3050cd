import type express5 from 'express';
import request from 'supertest';
import { Agent, fetch as undiciFetch } from 'undici';

import { serverErrors } from '../../src/node/middleware';
import type { ServerErrorsOptions } from '../../src/node/options';
import { expressVersions } from '../helpers/apps';
import { problemOf } from '../helpers/problem';
import {
  bodyStallingUpstream,
  refusingUpstream,
  resettingUpstream,
  silentUpstream,
  unreachableUpstream,
  type Upstream,
} from '../helpers/upstreams';

// Short real timeouts. undici checks its timers about twice a second, so a
// 100 ms timeout fires within about a second.
const agent = new Agent({ connectTimeout: 100, headersTimeout: 100, bodyTimeout: 100 });
const upstreams: Record<string, Upstream> = {};

beforeAll(async () => {
  upstreams.refusing = await refusingUpstream();
  upstreams.closing = await resettingUpstream('close');
  upstreams.resetting = await resettingUpstream('reset');
  upstreams.silent = await silentUpstream();
  upstreams.bodyStalling = await bodyStallingUpstream();
  upstreams.unreachable = await unreachableUpstream();
});

afterAll(async () => {
  await Promise.all(Object.values(upstreams).map((upstream) => upstream.close()));
  await agent.close();
});

const globalFetch = (name: string) => fetch(upstreams[name]!.url).then((res) => res.text());
const shortFetch = (name: string) =>
  undiciFetch(upstreams[name]!.url, { dispatcher: agent }).then((res) => res.text());

describe.each(expressVersions)('upstream failures on %s', (version, express) => {
  // The route lets the failure propagate as users write it: Express 5 catches a
  // rejected async handler, Express 4 needs `.catch(next)`.
  const route = (call: (name: string) => Promise<string>): express5.RequestHandler =>
    version === 'Express 5'
      ? async (req, res) => {
          res.send(await call(String(req.params.name)));
        }
      : (req, res, next) => {
          call(String(req.params.name))
            .then((text) => res.send(text))
            .catch(next);
        };

  function appWith(options?: ServerErrorsOptions) {
    const app = express();
    app.get('/global/:name', route(globalFetch));
    app.get('/undici/:name', route(shortFetch));
    app.use(serverErrors(options));
    return app;
  }

  const standard = appWith();
  const nonStandard = appWith({ nonStandard: true });

  it.each([
    ['refused', 'global', 'refusing'],
    ['refused', 'undici', 'refusing'],
    ['closed before any answer', 'global', 'closing'],
    ['closed before any answer', 'undici', 'closing'],
    ['reset', 'global', 'resetting'],
    ['reset', 'undici', 'resetting'],
  ])('answers 502 when the connection is %s (%s fetch)', async (_what, client, name) => {
    const res = await request(standard).get(`/${client}/${name}`);
    expect(res.status).toBe(502);
    expect(problemOf(res)).toMatchObject({ title: 'Bad Gateway', instance: `/${client}/${name}` });
    expect(res.text).not.toMatch(/fetch failed|ECONN|127\.0\.0\.1/);
  });

  it.each([
    ['the headers never come', 'silent'],
    ['the body stops half-way', 'bodyStalling'],
    ['the connection cannot be established', 'unreachable'],
  ])('answers 504 when %s', async (_what, name) => {
    const res = await request(standard).get(`/undici/${name}`);
    expect(res.status).toBe(504);
    expect(problemOf(res).title).toBe('Gateway Timeout');
  });

  it.each([
    [598, 'the headers never come', 'silent', 'Network Read Timeout Error'],
    [598, 'the body stops half-way', 'bodyStalling', 'Network Read Timeout Error'],
    [599, 'the connection cannot be established', 'unreachable', 'Network Connect Timeout Error'],
  ])('answers %i with nonStandard when %s', async (status, _what, name, title) => {
    const res = await request(nonStandard).get(`/undici/${name}`);
    expect(res.status).toBe(status);
    expect(problemOf(res)).toMatchObject({ title, type: 'about:blank' });
  });

  it('keeps the standard 502 for a refused connection with nonStandard', async () => {
    expect((await request(nonStandard).get('/undici/refusing')).status).toBe(502);
  });
});
