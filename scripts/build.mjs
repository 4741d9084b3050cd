// Builds dist/: one CommonJS bundle per entry point, the code they share in
// chunks (so every subpath has the same classes), zod's functions inlined and
// tree-shaken; beside it, tsc's declarations and the ES module wrappers.
//
// Why a bundle: a process that loads the package compiles a handful of files
// instead of some 150, and only the part of zod the options need (about a
// twentieth of it), so importing costs a fraction of what it did and the
// install no longer brings zod's 6 MB. See bench/results/startup.md.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import nodeResolve from '@rollup/plugin-node-resolve';
import { rollup } from 'rollup';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const dist = join(root, 'dist');
const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** The entry points, from package.json's exports: `dist/fetch/index.js` is built from `src/fetch/index.ts`. */
function entries() {
  const inputs = {};
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const file = target?.require?.default;
    if (typeof file !== 'string') continue;
    const name = file.replace(/^\.\/dist\//, '').replace(/\.js$/, '');
    const input = join(src, `${name}.ts`);
    if (!existsSync(input)) throw new Error(`exports["${subpath}"]: ${relative(root, input)} does not exist`);
    inputs[name] = input;
  }
  return inputs;
}

// What stays a require(): Node's modules and the dependencies an app shares
// (http-errors, negotiator, statuses and vary come with Express). zod is
// inlined: it is a devDependency, and only the functions used are kept.
const INLINED = ['zod'];
const isExternal = (id) =>
  !id.startsWith('.') &&
  !id.startsWith('/') &&
  !id.startsWith('\0') &&
  !INLINED.some((name) => id === name || id.startsWith(`${name}/`));

/** Strips the types off each source file, as ts-jest does (isolatedModules), keeping a source map. */
function typescript() {
  return {
    name: 'typescript',
    resolveId(source, importer) {
      if (importer === undefined || !source.startsWith('.') || !importer.startsWith(src)) return null;
      const base = join(dirname(importer), source.replace(/\.js$/, ''));
      return [`${base}.ts`, join(base, 'index.ts')].find((path) => existsSync(path)) ?? null;
    },
    transform(code, id) {
      if (!id.endsWith('.ts')) return null;
      const { outputText, sourceMapText } = ts.transpileModule(code, {
        fileName: id,
        compilerOptions: {
          module: ts.ModuleKind.ESNext,
          target: ts.ScriptTarget.ES2022,
          sourceMap: true,
          inlineSources: true,
          removeComments: true,
          esModuleInterop: true,
        },
      });
      return { code: outputText.replace(/\/\/# sourceMappingURL=.*$/m, ''), map: JSON.parse(sourceMapText) };
    },
  };
}

function tsc(...args) {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), ...args], {
    cwd: root,
    stdio: 'inherit',
  });
}

const inputs = entries();

rmSync(dist, { recursive: true, force: true });

// Declarations, file by file: the types a user's editor follows.
tsc('-p', 'tsconfig.build.json', '--emitDeclarationOnly');

const bundle = await rollup({
  input: inputs,
  external: isExternal,
  plugins: [typescript(), nodeResolve({ extensions: ['.ts', '.js', '.mjs'], exportConditions: ['node'] })],
  onwarn(warning) {
    // zod's own cycles, and its comments for esbuild's tree-shaking, are zod's
    // business; anything about our code fails the build.
    const about = [warning.id, ...(warning.ids ?? [])].filter(Boolean);
    if (about.length > 0 && about.every((id) => id.includes('/node_modules/'))) return;
    throw new Error(`rollup: ${warning.message}`);
  },
});
await bundle.write({
  dir: dist,
  format: 'cjs',
  entryFileNames: '[name].js',
  chunkFileNames: 'chunks/[name].js',
  // Maps without the sources: a stack trace (node --enable-source-maps) still
  // names src/…/file.ts and its line; the sources would double the install.
  sourcemap: true,
  sourcemapExcludeSources: true,
  exports: 'named',
  interop: 'auto',
  generatedCode: 'es2015',
});
await bundle.close();

// The ES module entries re-export the CommonJS ones, so `import` and
// `require` share one copy of every class and `instanceof` works across both.
// Two of each: index.mjs (`export * from './index.js'`), under the "module"
// and "default" conditions, for bundlers (which bundle the CommonJS behind it,
// and could not follow a createRequire) and runtimes without node:module;
// index.node.mjs, under "node", which Node reads and "module" does not come
// before for it: it loads the CommonJS entry with createRequire and names its
// exports, since Node's own import of a CommonJS module costs about as much
// again as the require (measured: bench/README.md, "Footprint, after").
for (const name of Object.keys(inputs)) {
  const wrapper = join(src, `${name}.mts`);
  if (!existsSync(wrapper))
    throw new Error(`${relative(root, wrapper)} is missing: every entry needs its ESM wrapper`);
  const { outputText } = ts.transpileModule(readFileSync(wrapper, 'utf8'), {
    fileName: wrapper,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  mkdirSync(dirname(join(dist, name)), { recursive: true });
  writeFileSync(join(dist, `${name}.mjs`), outputText);
  const names = Object.keys(require(join(dist, `${name}.js`)));
  if (names.length === 0 || !names.every((key) => /^[A-Za-z_$][\w$]*$/.test(key))) {
    throw new Error(`dist/${name}.js exports ${JSON.stringify(names)}: not names an ES module can export`);
  }
  writeFileSync(
    join(dist, `${name}.node.mjs`),
    [
      '// Generated by scripts/build.mjs: the CommonJS entry, with its exports named (see index.mjs for why one copy).',
      "import { createRequire } from 'node:module';",
      `const entry = createRequire(import.meta.url)('./${name.split('/').pop()}.js');`,
      `export const { ${names.join(', ')} } = entry;`,
      '',
    ].join('\n'),
  );
}

// Only the declarations an entry point reaches ship: the others describe
// internals no user's compiler can import, and some would name zod, which is
// bundled and no dependency.
const reached = new Set();
const pending = Object.keys(inputs).flatMap((name) => [
  join(dist, `${name}.d.ts`),
  join(dist, `${name}.d.mts`),
]);
while (pending.length > 0) {
  const file = pending.pop();
  if (reached.has(file)) continue;
  if (!existsSync(file)) throw new Error(`${relative(root, file)} is missing`);
  reached.add(file);
  for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*'(\.[^']*)'/g)) {
    const base = join(dirname(file), specifier.replace(/\.m?js$/, ''));
    const next = [`${base}.d.ts`, `${base}.d.mts`, join(base, 'index.d.ts')].find((path) => existsSync(path));
    if (next === undefined) throw new Error(`${relative(root, file)}: ${specifier} does not resolve`);
    pending.push(next);
  }
}
for (const file of readdirSync(dist, { recursive: true })) {
  const path = join(dist, file);
  if (/\.d\.m?ts$/.test(file) && !reached.has(path)) rmSync(path);
}
for (const dir of readdirSync(dist, { recursive: true })
  .map((file) => join(dist, file))
  .reverse()) {
  if (statSync(dir).isDirectory() && readdirSync(dir).length === 0) rmSync(dir, { recursive: true });
}

// To stderr: npm pack runs this as `prepare`, and its --json output is stdout.
const files = readdirSync(dist, { recursive: true }).filter((file) => /\.m?js$/.test(file));
console.error(`dist/: ${files.length} scripts, ${reached.size} declaration files`);
