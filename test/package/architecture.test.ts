import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

import ts from 'typescript';

const SRC = join(__dirname, '..', '..', 'src');

// The steps, lowest first: each folder may import from the folders it lists
// (and from itself). The root's options.ts and pipeline.ts are the core every
// runtime runs; node/ and guards/ are Node's, fetch/, fastify/ and koa/ the
// adapters, which use the core and nothing of Node's writer.
const STEPS = ['util', 'catalog', 'misuse', 'http', 'errors', 'classify', 'describe', 'render'];
// drain()'s rules are framework-neutral: the core, node/, guards/ and every adapter may use them.
const BELOW_CORE = [...STEPS, 'lifecycle'];
const LAYERS: Readonly<Record<string, readonly string[]>> = {
  util: [],
  catalog: [],
  misuse: ['util'],
  http: ['catalog', 'misuse', 'util'],
  errors: ['http', 'catalog', 'misuse', 'util'],
  classify: ['errors', 'http', 'catalog', 'misuse', 'util'],
  describe: ['classify', 'errors', 'http', 'catalog', 'misuse', 'util'],
  render: ['describe', 'classify', 'errors', 'http', 'catalog', 'misuse', 'util'],
  lifecycle: ['errors', 'http', 'catalog', 'misuse', 'util'],
  // Admission control's queue and limit: plain logic, no runtime, no error.
  admission: ['util'],
  core: BELOW_CORE,
  node: ['core', ...BELOW_CORE],
  guards: ['node', 'core', 'admission', ...BELOW_CORE],
  fetch: ['core', ...BELOW_CORE],
  fastify: ['core', ...BELOW_CORE],
  koa: ['core', ...BELOW_CORE],
  openapi: STEPS,
  // Loads in browsers: the classes and the problem schema, none of the renderers.
  client: ['errors', 'describe', 'http', 'catalog', 'misuse', 'util'],
};
// Where Node's own modules may be imported: everywhere else must load in a
// fetch runtime (Workers, Deno, Bun, the edge), which may have none.
const NODE_FOLDERS = ['node', 'guards', 'fastify', 'koa'];
const HTTP_FOLDERS = ['node', 'guards'];
// Packages the core may use: free of Node's modules themselves.
const CORE_PACKAGES = ['zod/mini', 'negotiator', 'vary', 'statuses'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path);
    return /\.m?ts$/.test(name) ? [path] : [];
  });
}

/** The folder of a source file; the root's files are the core, but for the entry points. */
function folderOf(file: string): string {
  const rel = relative(SRC, file);
  if (!rel.includes('/')) return /^index\.m?ts$/.test(rel) ? 'entry' : 'core';
  return rel.split('/')[0] as string;
}

interface Edge {
  readonly from: string;
  readonly to: string;
}

const files = filesUnder(SRC);
const edges: Edge[] = [];
const external = new Map<string, string[]>();

for (const file of files) {
  // Type imports count: a type that lives in the wrong file is a contract in the wrong place.
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  for (const { fileName: spec } of importedFiles) {
    if (spec.startsWith('.')) {
      const base = resolve(dirname(file), spec.replace(/\.js$/, ''));
      const target = [`${base}.ts`, `${base}.mts`, join(base, 'index.ts')].find((path) =>
        files.includes(path),
      );
      if (target === undefined)
        throw new Error(`${relative(SRC, file)} imports ${spec}, which is no source file`);
      edges.push({ from: file, to: target });
    } else {
      external.set(file, [...(external.get(file) ?? []), spec]);
    }
  }
}

const show = (file: string) => relative(SRC, file);

describe('the architecture of src/', () => {
  it('reads the imports of every file', () => {
    expect(files.length).toBeGreaterThan(40);
    expect(edges.length).toBeGreaterThan(100);
  });

  it('has no import cycle, type imports included', () => {
    const next = new Map<string, string[]>();
    for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].map(show).join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const target of next.get(file) ?? []) visit(target, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('imports only downwards: each step from the steps before it', () => {
    const upward = edges
      .filter(({ from, to }) => {
        const source = folderOf(from);
        const target = folderOf(to);
        if (source === target || source === 'entry') return false;
        return !(LAYERS[source] ?? []).includes(target);
      })
      .map(({ from, to }) => `${show(from)} → ${show(to)}`);
    expect(upward).toEqual([]);
  });

  it('keeps node:http in the Node folders, and every node: module out of the core and fetch/', () => {
    const misplaced = [...external].flatMap(([file, specs]) => {
      const folder = folderOf(file);
      return specs
        .filter((spec) =>
          /^node:http2?$/.test(spec)
            ? !HTTP_FOLDERS.includes(folder)
            : spec.startsWith('node:') && !NODE_FOLDERS.includes(folder) && folder !== 'entry',
        )
        .map((spec) => `${show(file)} imports ${spec}`);
    });
    expect(misplaced).toEqual([]);
  });

  it('lets the core and fetch/ use only packages that need nothing of Node', () => {
    const packages = [...external].flatMap(([file, specs]) => {
      const folder = folderOf(file);
      if ([...NODE_FOLDERS, 'entry'].includes(folder)) return [];
      return specs
        .filter((spec) => !spec.startsWith('node:') && !CORE_PACKAGES.includes(spec))
        .map((spec) => `${show(file)} imports ${spec}`);
    });
    expect(packages).toEqual([]);
  });

  it("uses zod only as zod/mini, whose functions the bundle tree-shakes (the classic API's methods it cannot)", () => {
    const zodImports = [...external].flatMap(([file, specs]) =>
      specs
        .filter((spec) => spec === 'zod' || spec.startsWith('zod/'))
        .map((spec) => `${relative(SRC, file)}: ${spec}`),
    );
    expect(zodImports.length).toBeGreaterThan(5);
    expect(zodImports.filter((entry) => !entry.endsWith(': zod/mini'))).toEqual([]);
  });

  it('keeps the adapters out of the main entry', () => {
    const reached = new Set<string>();
    const walk = (file: string) => {
      if (reached.has(file)) return;
      reached.add(file);
      for (const { from, to } of edges) if (from === file) walk(to);
    };
    walk(join(SRC, 'index.ts'));
    const adapters = [...reached]
      .map(folderOf)
      .filter((folder) => ['fetch', 'fastify', 'koa'].includes(folder));
    expect(adapters).toEqual([]);
    const frameworks = [...reached].flatMap((file) =>
      (external.get(file) ?? []).filter((spec) => /^(express|fastify|koa|hono)(\/|$)/.test(spec)),
    );
    expect(frameworks).toEqual([]);
  });
});
