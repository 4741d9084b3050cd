import request from 'supertest';

import { drain } from '../../src/koa';
import { koaVersions } from './versions';

describe.each(koaVersions)('drain() on %s', (_version, Koa) => {
  it('explains app.use(drain) written without the call, on the first request', async () => {
    const reported: Array<Error & { code?: string }> = [];
    const app = new Koa();
    app.use(drain as never);
    app.on('error', (err: Error) => reported.push(err));
    expect((await request(app.callback()).get('/')).status).toBe(500);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({ name: 'TypeError', code: 'ERR_SERVER_ERRORS_NOT_CALLED' });
    expect(reported[0]?.message).toBe(
      'drain received a request instead of options: it looks like you wrote app.use(drain). ' +
        'Call it to get the middleware: app.use(drain()).',
    );
  });

  it('rejects close() given the Koa app instead of the server app.listen() returned', async () => {
    const app = new Koa();
    await expect(drain().close(app as never)).rejects.toMatchObject({
      name: 'TypeError',
      code: 'ERR_SERVER_ERRORS_INVALID_OPTION',
      message: expect.stringMatching(
        /^drain\(\)\.close\(server\): server must be the node:http, node:https or HTTP\/2 server that listen\(\) returned; received /,
      ),
    });
  });
});
