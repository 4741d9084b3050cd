import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type RequestListener } from 'node:http';
import {
  connect as connectHttp2,
  createServer as createHttp2Server,
  type Http2ServerRequest,
  Http2ServerResponse,
} from 'node:http2';
import { connect } from 'node:net';
import { join } from 'node:path';

import { httpVersions, type HttpVersionsOptions } from '../../src/guards/http-versions';
import { serverErrors } from '../../src/node/middleware';
import type { Guard } from '../../src/guards/guard';
import { expressVersions } from '../helpers/apps';
import { caught } from '../helpers/caught';
import { closeServer, listen } from '../helpers/upstreams';

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends `GET / <version>` by hand, as supertest cannot choose the version, and reads until the server closes. */
async function rawRequest(port: number, version: string, method = 'GET'): Promise<RawResponse> {
  const socket = connect(port, '127.0.0.1');
  socket.write(`${method} /status?x=1 ${version}\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += String(chunk)));
  await once(socket, 'close');
  const [head = '', body = ''] = text.split('\r\n\r\n', 2);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

describe.each(expressVersions)('httpVersions() on %s', (_version, express) => {
  const servers: Array<ReturnType<typeof createServer>> = [];
  afterAll(() => Promise.all(servers.map(closeServer)));

  async function serve(options?: HttpVersionsOptions): Promise<number> {
    const app = express();
    app.use(httpVersions(options));
    app.get('/status', (req, res) => {
      res.send(`served HTTP/${req.httpVersion}`);
    });
    app.use(serverErrors());
    const server = createServer(app as RequestListener);
    servers.push(server);
    return listen(server);
  }

  describe('by default', () => {
    let port: number;
    beforeAll(async () => {
      port = await serve();
    });

    it.each(['HTTP/1.1', 'HTTP/1.0'])('serves %s', async (version) => {
      const res = await rawRequest(port, version);
      expect(res.status).toBe(200);
      expect(res.body).toBe(`served ${version}`);
    });

    it.each([
      ['HTTP/0.9', 'the long-gone HTTP/0.9'],
      ['HTTP/2.0', 'an HTTP/1 request line that claims HTTP/2.0, which Node parses'],
    ])('answers 505 to %s: %s', async (version) => {
      const res = await rawRequest(port, version);
      expect(res.status).toBe(505);
      expect(JSON.parse(res.body)).toMatchObject({
        title: 'HTTP Version Not Supported',
        status: 505,
        detail: 'This server supports HTTP/1.0, HTTP/1.1 and HTTP/2.',
        supported: ['1.0', '1.1', '2.0'],
        instance: '/status',
      });
    });
  });

  describe('with supported: ["1.1", "2.0"]', () => {
    let port: number;
    beforeAll(async () => {
      port = await serve({ supported: ['1.1', '2.0'] });
    });

    it('serves HTTP/1.1', async () => {
      expect((await rawRequest(port, 'HTTP/1.1')).status).toBe(200);
    });

    it('answers HTTP/1.0 with a 505 problem that names the supported versions', async () => {
      const res = await rawRequest(port, 'HTTP/1.0');
      expect(res.status).toBe(505);
      expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(JSON.parse(res.body)).toMatchObject({
        type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.6',
        title: 'HTTP Version Not Supported',
        status: 505,
        detail: 'This server supports HTTP/1.1 and HTTP/2.',
        instance: '/status',
        supported: ['1.1', '2.0'],
      });
      expect(res.body).not.toContain('HTTP/1.0 is not supported');
    });

    it('answers a HEAD request in HTTP/1.0 with the headers and no body', async () => {
      const res = await rawRequest(port, 'HTTP/1.0', 'HEAD');
      expect(res.status).toBe(505);
      expect(Number(res.headers['content-length'])).toBeGreaterThan(0);
      expect(res.body).toBe('');
    });
  });
});

describe('httpVersions() over real HTTP/2', () => {
  async function h2Get(guard: Guard): Promise<{ status: number; body: string }> {
    const handle = serverErrors();
    const server = createHttp2Server((req: Http2ServerRequest, res) => {
      const [request, response] = [req as never, res as never];
      guard(request, response, (err) =>
        err === undefined ? res.end('served over h2') : handle(err, request, response),
      );
    });
    const port = await listen(server as never);
    const client = connectHttp2(`http://127.0.0.1:${port}`);
    try {
      const stream = client.request({ ':path': '/' });
      const [headers] = (await once(stream, 'response')) as [Record<string, unknown>];
      let body = '';
      stream.on('data', (chunk: Buffer) => (body += String(chunk)));
      await once(stream, 'end');
      return { status: Number(headers[':status']), body };
    } finally {
      client.close();
      await closeServer(server as never);
    }
  }

  it('serves it by default', async () => {
    expect(await h2Get(httpVersions())).toEqual({ status: 200, body: 'served over h2' });
  });

  it('refuses it with a 505 problem, without the reason phrase HTTP/2 cannot carry', async () => {
    const { status, body } = await h2Get(httpVersions({ supported: ['1.1'] }));
    expect(status).toBe(505);
    expect(JSON.parse(body)).toMatchObject({
      status: 505,
      detail: 'This server supports HTTP/1.1.',
      supported: ['1.1'],
    });
  });

  it('never sets the status message of an HTTP/2 response', async () => {
    // The same rule as the next test, checked in this process, where a mutation test can see it.
    const setter = jest.spyOn(Http2ServerResponse.prototype, 'statusMessage', 'set');
    try {
      expect((await h2Get(httpVersions({ supported: ['1.1'] }))).status).toBe(505);
      expect(setter).not.toHaveBeenCalled();
    } finally {
      setter.mockRestore();
    }
  });

  it('sets no status message, which Node would warn about on HTTP/2', () => {
    // Node warns once per process, from its own process object: a fresh process tells.
    const src = (file: string) => JSON.stringify(join(__dirname, '..', '..', 'src', file));
    const script = `
      require('ts-node').register({ transpileOnly: true });
      const http2 = require('node:http2');
      const { httpVersions } = require(${src('guards/http-versions.ts')});
      const { serverErrors } = require(${src('node/middleware.ts')});
      const guard = httpVersions({ supported: ['1.1'] });
      const handle = serverErrors({ log: false });
      const server = http2.createServer((req, res) => guard(req, res, (err) => handle(err, req, res)));
      server.listen(0, '127.0.0.1', () => {
        const client = http2.connect('http://127.0.0.1:' + server.address().port);
        const stream = client.request({ ':path': '/' });
        stream.on('response', (headers) => console.log(headers[':status']));
        stream.resume();
        stream.on('end', () => { client.close(); server.close(); });
      });
    `;
    const { stdout, stderr } = spawnSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      cwd: __dirname,
    });
    expect(stdout.trim()).toBe('505');
    expect(stderr).not.toMatch(/Status message/i);
  });
});

describe('httpVersions() options', () => {
  it('accepts no options and any non-empty list of versions', () => {
    expect(() => httpVersions()).not.toThrow();
    expect(() => httpVersions({ supported: ['2.0'] })).not.toThrow();
  });

  it.each([
    [
      { supported: [] },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "supported" must be a non-empty array of versions: "1\.0", "1\.1" and "2\.0"; received \[\]\./,
    ],
    [
      { supported: '1.1' },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "supported" .*; received "1\.1"\./,
    ],
    [
      { supported: ['1.1', '3.0'] },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "supported\[1\]" must be one of "1\.0", "1\.1" and "2\.0", as req\.httpVersion spells them; received "3\.0"\./,
    ],
    [
      { supported: [1.1] },
      TypeError,
      'ERR_SERVER_ERRORS_INVALID_OPTION',
      /option "supported\[0\]" .*; received 1\.1\. Write the version as a string: "1\.1"\./,
    ],
    [{ supported: ['HTTP/1.1'] }, TypeError, 'ERR_SERVER_ERRORS_INVALID_OPTION', /received "HTTP\/1\.1"\./],
    [
      { versions: ['1.1'] },
      TypeError,
      'ERR_SERVER_ERRORS_UNKNOWN_OPTION',
      /unknown option "versions"\. Known options: supported\./,
    ],
    [
      { method: 'GET', url: '/', headers: {}, socket: {} },
      TypeError,
      'ERR_SERVER_ERRORS_NOT_CALLED',
      /app\.use\(httpVersions\(\)\)/,
    ],
  ])('refuses %p at start-up with a %p', (options, Kind, code, message) => {
    const error = caught(() => httpVersions(options as never));
    expect(error).toBeInstanceOf(Kind);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(/^httpVersions\(\): |^httpVersions received/);
    expect(error.message).toMatch(message);
  });
});
