import { createServer, type RequestListener } from 'node:http';

import connect from 'connect';
import request from 'supertest';

import { ServiceUnavailable } from '../../src/errors/classes';
import { serverErrors } from '../../src/node/middleware';
import { problemOf } from '../helpers/problem';

describe('serverErrors() outside Express', () => {
  it('serves a Connect app', async () => {
    const app = connect();
    app.use('/fail', () => {
      throw new ServiceUnavailable(120);
    });
    app.use(serverErrors());
    const res = await request(app).get('/fail');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('120');
    expect(problemOf(res).instance).toBe('/fail');
  });

  it('serves a bare node:http server, called without next', async () => {
    const handle = serverErrors();
    const listener: RequestListener = (req, res) => handle(new ServiceUnavailable(30), req, res);
    const server = createServer(listener);
    const res = await request(server).get('/bare?x=1');
    expect(res.status).toBe(503);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(problemOf(res)).toMatchObject({ title: 'Service Unavailable', instance: '/bare' });
  });

  it('destroys the response when headers were sent and there is no next', async () => {
    const handle = serverErrors({ log: false });
    const server = createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('partial');
      handle(new Error('mid-stream'), req, res);
    });
    await expect(request(server).get('/')).rejects.toThrow();
  });
});
