import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

// What a user does: install the packed tarball into an empty project, then use
// it from ESM, from CommonJS and from TypeScript.
const script = (load: string) => `
${load}
const app = express();
app.get('/fail', () => { throw new ServiceUnavailable(120, { detail: 'Back soon.' }); });
app.use(serverErrors({ log: false }));
const server = app.listen(0, '127.0.0.1', async () => {
  const res = await fetch('http://127.0.0.1:' + server.address().port + '/fail');
  console.log(JSON.stringify({
    status: res.status,
    type: res.headers.get('content-type'),
    retryAfter: res.headers.get('retry-after'),
    body: await res.json(),
    httpError: createError.isHttpError(new ServiceUnavailable()),
  }));
  server.close();
});
`;

// Each subpath, without its framework installed: an adapter loads none.
const SUBPATHS_ESM = `
import { serverErrors as fetchErrors } from 'server-errors/fetch';
import { serverErrors as fastifyPlugin } from 'server-errors/fastify';
import { serverErrors as koaErrors } from 'server-errors/koa';
import { problemComponents } from 'server-errors/openapi';
import { parseProblem } from 'server-errors/client';
import { ServiceUnavailable } from 'server-errors';
const loaded = () => [];`;
const SUBPATHS_CJS = `
const { serverErrors: fetchErrors } = require('server-errors/fetch');
const { serverErrors: fastifyPlugin } = require('server-errors/fastify');
const { serverErrors: koaErrors } = require('server-errors/koa');
const { problemComponents } = require('server-errors/openapi');
const { parseProblem } = require('server-errors/client');
const { ServiceUnavailable } = require('server-errors');
const loaded = () => Object.keys(require.cache).filter((path) => /node_modules\\/(fastify|koa|hono|express)\\//.test(path));`;
// No top-level await: the CommonJS script has none.
const SUBPATHS_BODY = `
const handle = fetchErrors({ log: false });
const res = handle(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), new Request('http://localhost/orders?id=1'));
const upstream = handle(new ServiceUnavailable(120, { detail: 'Back soon.' }), new Request('http://localhost/'));
const components = problemComponents({ typeBase: 'https://api.example.com/problems/' });
Promise.all([res.json(), parseProblem(upstream)]).then(([body, err]) => console.log(JSON.stringify({
  fetch: { status: res.status, type: res.headers.get('content-type'), body },
  fastify: typeof fastifyPlugin,
  koa: typeof koaErrors(),
  openapi: components.responses.ServiceUnavailable.content['application/problem+json'].example.type,
  client: { ours: err instanceof ServiceUnavailable, detail: err.detail, retryAfter: err.retryAfter },
  frameworks: loaded(),
})));`;

describe('the packed package', () => {
  let project: string;

  beforeAll(() => {
    if (!existsSync(join(root, 'dist', 'index.js')))
      throw new Error('dist/ is missing: run `npm run build` first');
    project = mkdtempSync(join(tmpdir(), 'server-errors-pack-'));
    execFileSync(npm, ['pack', '--ignore-scripts', '--silent', '--pack-destination', project], { cwd: root });
    const tarball = readdirSync(project).find((name) => name.endsWith('.tgz'));
    if (tarball === undefined) throw new Error('npm pack made no tarball');
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'scratch', private: true }));
    const express = (require('express/package.json') as { version: string }).version;
    execFileSync(
      npm,
      [
        'install',
        `./${tarball}`,
        `express@${express}`,
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--silent',
      ],
      { cwd: project },
    );
    writeFileSync(
      join(project, 'esm.mjs'),
      script(
        "import express from 'express'; import createError from 'http-errors'; import { serverErrors, ServiceUnavailable } from 'server-errors';",
      ),
    );
    writeFileSync(
      join(project, 'cjs.cjs'),
      script(
        "const express = require('express'); const createError = require('http-errors'); const { serverErrors, ServiceUnavailable } = require('server-errors');",
      ),
    );
    for (const [file, load] of [
      ['subpaths.mjs', SUBPATHS_ESM],
      ['subpaths.cjs', SUBPATHS_CJS],
    ] as const) {
      writeFileSync(join(project, file), `${load}\n${SUBPATHS_BODY}`);
    }
  }, 180_000);

  afterAll(() => {
    if (project) rmSync(project, { recursive: true, force: true });
  });

  const packed = () => {
    const files = execFileSync(npm, ['pack', '--ignore-scripts', '--dry-run', '--json'], { cwd: root });
    return (JSON.parse(files.toString()) as Array<{ files: Array<{ path: string }> }>)[0]?.files.map(
      (f) => f.path,
    );
  };

  it('ships only the build, its types, the README, what it shows and the licence', () => {
    const paths = packed();
    expect(paths).toEqual(
      expect.arrayContaining([
        'dist/index.js',
        'dist/index.mjs',
        'dist/index.d.ts',
        'dist/index.d.mts',
        'README.md',
        'LICENSE',
        'package.json',
      ]),
    );
    expect(
      paths?.filter(
        (p) =>
          !p.startsWith('dist/') && !['README.md', 'package.json', 'LICENSE', 'docs/503.png'].includes(p),
      ),
    ).toEqual([]);
  });

  it('ships every file the README links to or shows, and the licence package.json names', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const local = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
      .map((match) => match[1] as string)
      .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
    expect(local.length).toBeGreaterThan(0);
    const paths = packed();
    for (const target of local) expect(paths).toContain(target.replace(/^\.\//, ''));
    const { license } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { license: string };
    expect(license).toBe('MIT');
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n/);
  });

  it.each(['esm.mjs', 'cjs.cjs'])('works from %s', (file) => {
    const out = execFileSync(process.execPath, [file], {
      cwd: project,
      env: { ...process.env, NODE_ENV: 'production' },
    });
    expect(JSON.parse(out.toString())).toEqual({
      status: 503,
      type: 'application/problem+json; charset=utf-8',
      retryAfter: '120',
      body: {
        type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.4',
        title: 'Service Unavailable',
        status: 503,
        detail: 'Back soon.',
        instance: '/fail',
        traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
      },
      httpError: true,
    });
  });

  it.each(['subpaths.mjs', 'subpaths.cjs'])(
    'serves every subpath from %s, without loading a framework',
    (file) => {
      const out = execFileSync(process.execPath, [file], { cwd: project });
      expect(JSON.parse(out.toString())).toEqual({
        fetch: {
          status: 502,
          type: 'application/problem+json; charset=utf-8',
          body: expect.objectContaining({ status: 502, title: 'Bad Gateway', instance: '/orders' }),
        },
        fastify: 'function',
        koa: 'function',
        openapi: 'https://api.example.com/problems/service-unavailable',
        client: { ours: true, detail: 'Back soon.', retryAfter: 120 },
        frameworks: [],
      });
    },
  );

  it('declares, in the types every entry point reaches, only imports of its dependencies, peers and Node', () => {
    const installed = join(project, 'node_modules', 'server-errors');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      exports: Record<string, { import?: { types?: string }; require?: { types?: string } } | string>;
      dependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
    };
    const allowed = new Set([
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.peerDependencies ?? {}),
    ]);
    const pending = Object.values(manifest.exports).flatMap((target) =>
      typeof target === 'string'
        ? []
        : [target.import?.types, target.require?.types].flatMap((types) =>
            types === undefined ? [] : [join(installed, types)],
          ),
    );
    expect(pending.length).toBeGreaterThanOrEqual(12);
    const seen = new Set<string>();
    const bare = new Map<string, string>();
    while (pending.length > 0) {
      const file = pending.pop() as string;
      if (seen.has(file)) continue;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const [, specifier] of text.matchAll(/(?:from|import\()\s*'([^']+)'/g)) {
        const target = specifier as string;
        if (target.startsWith('.')) {
          const base = join(file, '..', target.replace(/\.m?js$/, ''));
          const next = [`${base}.d.ts`, `${base}.d.mts`, join(base, 'index.d.ts')].find(existsSync);
          if (next === undefined) throw new Error(`${file}: ${target} does not resolve`);
          pending.push(next);
        } else {
          bare.set(target, file);
        }
      }
    }
    expect(seen.size).toBeGreaterThan(20);
    const packageOf = (specifier: string) =>
      specifier.startsWith('@')
        ? specifier.split('/').slice(0, 2).join('/')
        : (specifier.split('/')[0] as string);
    const strays = [...bare]
      .filter(([specifier]) => !specifier.startsWith('node:') && !allowed.has(packageOf(specifier)))
      .map(([specifier, file]) => `${specifier} (in ${file.slice(installed.length + 1)})`);
    expect(strays).toEqual([]);
  });

  it('installs nothing it bundles: no zod beside Express', () => {
    expect(existsSync(join(project, 'node_modules', 'zod'))).toBe(false);
  });

  it('sends Node to the createRequire wrapper and bundlers to the export * one, for every entry point', () => {
    const { exports } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      exports: Record<string, { import?: Record<string, string> } | string>;
    };
    const entries = Object.entries(exports).filter(([key]) => key !== './package.json');
    expect(entries.length).toBeGreaterThanOrEqual(6);
    for (const [key, target] of entries) {
      const esm = (target as { import: Record<string, string> }).import;
      // Order matters: bundlers read "module" (Node does not) and bundle the CommonJS behind
      // export *; they cannot follow createRequire, which Node's "node" wrapper uses.
      expect([key, Object.keys(esm)]).toEqual([key, ['types', 'module', 'node', 'default']]);
      expect(esm.module).toBe(esm.default);
      expect(esm.node).toBe(esm.default?.replace(/\.mjs$/, '.node.mjs'));
    }
    const resolved = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', "console.log(import.meta.resolve('server-errors/fetch'))"],
      { cwd: project },
    ).toString();
    expect(resolved.trim()).toMatch(/\/node_modules\/server-errors\/dist\/fetch\/index\.node\.mjs$/);
  });

  it('gives import and require one copy of every class, on every entry point', () => {
    const subpaths = [
      'server-errors',
      'server-errors/fetch',
      'server-errors/fastify',
      'server-errors/koa',
      'server-errors/openapi',
      'server-errors/client',
    ];
    writeFileSync(
      join(project, 'same.mjs'),
      `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const out = {};
for (const subpath of ${JSON.stringify(subpaths)}) {
  const esm = await import(subpath);
  const cjs = require(subpath);
  const names = Object.keys(esm);
  out[subpath] = { names: names.length, same: names.every((name) => esm[name] === cjs[name]), all: names.length === Object.keys(cjs).length };
}
console.log(JSON.stringify(out));`,
    );
    const out = JSON.parse(
      execFileSync(process.execPath, ['same.mjs'], { cwd: project }).toString(),
    ) as Record<string, { names: number; same: boolean; all: boolean }>;
    for (const subpath of subpaths) {
      expect(out[subpath]).toEqual({ names: expect.any(Number), same: true, all: true });
      expect(out[subpath]?.names).toBeGreaterThan(0);
    }
  });

  it('passes arethetypeswrong for every entry point', () => {
    const attw = join(root, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js');
    const tarball = readdirSync(project).find((name) => name.endsWith('.tgz')) as string;
    const out = execFileSync(process.execPath, [attw, join(project, tarball), '--format', 'json'], {
      cwd: project,
    });
    const { analysis } = JSON.parse(out.toString()) as {
      analysis: { problems: unknown[]; entrypoints: Record<string, unknown> };
    };
    expect(Object.keys(analysis.entrypoints)).toEqual([
      '.',
      './fetch',
      './fastify',
      './koa',
      './openapi',
      './client',
      './package.json',
    ]);
    expect(analysis.problems).toEqual([]);
  });

  it.each([
    ['an ES module', 'check.mts'],
    ['a CommonJS module', 'check.cts'],
  ])('type-checks when imported from %s', (_kind, file) => {
    writeFileSync(
      join(project, file),
      `import { serverErrors, ServiceUnavailable, catalog, type ServerErrorsOptions } from 'server-errors';
import { serverErrors as fetchErrors, type FetchErrorHandler, type ServerErrorsOptions as FetchOptions } from 'server-errors/fetch';
import { serverErrors as fastifyPlugin } from 'server-errors/fastify';
import { serverErrors as koaErrors } from 'server-errors/koa';
import { problemComponents, type ProblemComponents } from 'server-errors/openapi';
import { ClientError, gatewayError, parseProblem, retryDelay, type ProblemError } from 'server-errors/client';
const options: ServerErrorsOptions = { map: [['ECONNABORTED', 502]], types: 'about:blank' };
const handler: (err: unknown, req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void = serverErrors(options);
const error: ServiceUnavailable = new ServiceUnavailable(120);
const title: string = catalog[503].title;
const fetchOptions: FetchOptions = { traceId: (request: Request) => request.headers.get('x-amzn-trace-id') ?? undefined };
const fetchHandler: FetchErrorHandler = fetchErrors(fetchOptions);
const answer: Response = fetchHandler(error, new Request('http://localhost/'));
const components: ProblemComponents = problemComponents({ typeBase: 'https://api.example.com/problems/' });
const parsed: Promise<ProblemError | undefined> = parseProblem(answer);
const delay: number | undefined = retryDelay(answer, { max: 5000, jitter: 0.1 });
const gateway: Promise<ServiceUnavailable | import('server-errors').BadGateway> = gatewayError(answer);
const refused: boolean = new ClientError(429) instanceof Error;
export { handler, error, title, answer, fastifyPlugin, koaErrors, components, parsed, delay, gateway, refused };
`,
    );
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const args = [
      tsc,
      '--noEmit',
      '--strict',
      '--module',
      'nodenext',
      '--skipLibCheck',
      '--types',
      'node',
      '--typeRoots',
      join(root, 'node_modules', '@types'),
      '--lib',
      'es2022,dom',
      file,
    ];
    expect(() => execFileSync(process.execPath, args, { cwd: project, stdio: 'pipe' })).not.toThrow();
  });
});
