import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { BadGateway, ServiceUnavailable } from '../../src/errors/classes';
import { logToStderr } from '../../src/node/stderr-log';

const record = (err: unknown, status = 503) => ({ status, method: 'GET', path: '/x', traceId: 't1', err });
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('the default logger', () => {
  let write: jest.SpyInstance;
  beforeEach(() => {
    write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => write.mockRestore());

  it('writes the lines of one turn of the event loop in one write, in order', async () => {
    logToStderr(record(new ServiceUnavailable(1)), undefined as never);
    logToStderr(record(new BadGateway('upstream said no'), 502), undefined as never);
    expect(write).not.toHaveBeenCalled();
    await tick();
    expect(write).toHaveBeenCalledTimes(1);
    expect(write.mock.calls[0]?.[0]).toBe(
      'serverErrors: 503 GET /x [t1] ServiceUnavailable: Service Unavailable\n' +
        'serverErrors: 502 GET /x [t1] BadGateway: upstream said no\n',
    );
  });

  it('writes the stack of an unexpected error, and of every cause, within limits', async () => {
    let cyclic = new Error('first');
    const second = new Error('second', { cause: cyclic });
    (cyclic as { cause?: unknown }).cause = second;
    cyclic = second;
    logToStderr(record(new Error('kaput'), 500), undefined as never);
    logToStderr(record(cyclic, 500), undefined as never);
    logToStderr(record('a thrown string', 500), undefined as never);
    await tick();
    const text = String(write.mock.calls[0]?.[0]);
    expect(text).toMatch(/^serverErrors: 500 GET \/x \[t1\] Error: kaput\n\s+at /);
    // A cycle ends the chain where it leads back: each cause is written once.
    expect(text.match(/\[cause\]: Error: (first|second)/g)).toEqual(['[cause]: Error: first']);
    expect(text).toContain("serverErrors: 500 GET /x [t1] 'a thrown string'\n");
  });

  it('writes at most eight causes of a long chain', async () => {
    let error = new Error('0');
    for (let i = 1; i < 20; i++) error = new Error(String(i), { cause: error });
    logToStderr(record(error, 500), undefined as never);
    await tick();
    expect(String(write.mock.calls[0]?.[0]).match(/\[cause\]: Error: \d+/g)).toHaveLength(8);
  });

  it('writes what is pending when the process exits', () => {
    const script = `
      require('ts-node').register({ transpileOnly: true });
      const { logToStderr } = require(${JSON.stringify(join(__dirname, '..', '..', 'src', 'node', 'stderr-log.ts'))});
      logToStderr({ status: 500, method: 'GET', path: '/bye', err: 'last words' });
      process.exit(0);
    `;
    const { stderr, status } = spawnSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      cwd: __dirname,
    });
    expect(status).toBe(0);
    expect(stderr).toBe("serverErrors: 500 GET /bye 'last words'\n");
  });
});
