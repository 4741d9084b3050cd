import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

import { catalog } from '../../src/catalog/catalog';

// Runs the demo exactly as `npm start` does, against the built package.
describe('the example app (npm start)', () => {
  let child: ChildProcess;
  let base: string;
  let output = '';

  beforeAll(async () => {
    child = spawn(process.execPath, [join(__dirname, '..', '..', 'examples', 'server.mjs')], {
      env: { ...process.env, PORT: '0', NODE_ENV: 'test' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    base = await new Promise<string>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
        if (url && output.includes('curl -I')) resolve(url);
      });
      child.once('exit', (code) => reject(new Error(`the example exited with ${code}`)));
    });
  });

  afterAll(async () => {
    child.kill();
    if (child.exitCode === null) await once(child, 'exit');
  });

  it('prints a curl line for every catalog code', () => {
    for (const status of Object.keys(catalog)) expect(output).toContain(`curl -i ${base}/${status}\n`);
  });

  it.each(Object.values(catalog).map((e) => [e.status, e.title] as const))(
    'answers /%i with that status as problem+json',
    async (status, title) => {
      const res = await fetch(`${base}/${status}`);
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
      expect(await res.json()).toMatchObject({ status, title });
    },
  );

  it('answers /503 with Retry-After: 120', async () => {
    const res = await fetch(`${base}/503`);
    expect(res.headers.get('retry-after')).toBe('120');
  });

  it('lists its routes at the root', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('/503\n');
  });

  it('answers a path no route serves with a 404 problem', async () => {
    const res = await fetch(`${base}/nowhere?x=1`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ status: 404, title: 'Not Found', instance: '/nowhere' });
  });

  it('hides the message of the crash route', async () => {
    const res = await fetch(`${base}/crash`);
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain('hunter2');
  });
});
