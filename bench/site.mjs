// Where a benchmark loads server-errors from: an install laid out as a user's.
// bench/node_modules/server-errors is a link to the checkout (`file:..`), and
// Node follows it to the real path: the package's require('statuses') then finds
// the checkout's node_modules, not bench/'s, and a server loads second copies of
// http-errors, statuses, vary and negotiator beside Express's own (15 files),
// which no app installed from npm does. Measured 2026-12-04: the copies held
// about 0.2 MB of the server's live heap after a full collection (8.3 against
// 8.1 MB under load, --trace-gc), which bench/peak-rss.mjs charged to the package.
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH = fileURLToPath(new URL('.', import.meta.url));
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** The directory of package `name` as Node would find it from `from`, real path. */
function packageDir(name, from) {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

function link(target, path) {
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(target, path, 'dir');
}

/**
 * A scratch install laid out as `npm install express server-errors` would lay
 * it out: bench/'s packages (Express among them) linked at the top, a copy of
 * the build's package.json and dist/ as node_modules/server-errors, and each of
 * its runtime dependencies linked beside Express's: the same package at the same
 * version is then one copy, loaded once, as in a real app. A dependency bench/
 * has at another version goes under server-errors/node_modules, as npm nests it.
 * The copy also keeps a rebuild of dist/ during the run out of the figures.
 */
export function buildSite(root, tag) {
  for (const file of ['package.json', join('dist', 'index.js'), join('dist', 'index.mjs')]) {
    if (!existsSync(join(root, file)))
      throw new Error(`${join(root, file)} is missing: run \`npm run build\` in ${root} first.`);
  }
  const site = mkdtempSync(join(tmpdir(), `server-errors-${tag}-`));
  const modules = join(site, 'node_modules');
  const linkAll = (from, to) => {
    for (const entry of readdirSync(from)) {
      if (entry.startsWith('.') || entry === 'server-errors') continue;
      if (entry.startsWith('@')) linkAll(join(from, entry), join(to, entry));
      else link(join(from, entry), join(to, entry));
    }
  };
  linkAll(join(BENCH, 'node_modules'), modules);
  const copy = join(modules, 'server-errors');
  mkdirSync(copy);
  cpSync(join(root, 'package.json'), join(copy, 'package.json'));
  cpSync(join(root, 'dist'), join(copy, 'dist'), { recursive: true });
  const dependencies = [];
  for (const name of Object.keys(readJson(join(root, 'package.json')).dependencies ?? {})) {
    const source = packageDir(name, root);
    if (!source) throw new Error(`${name}, a dependency of ${root}, is not installed there: run npm ci.`);
    const version = readJson(join(source, 'package.json')).version;
    const hoisted = join(modules, name);
    let where;
    if (!existsSync(hoisted)) {
      link(source, hoisted);
      where = 'own';
    } else if (readJson(join(hoisted, 'package.json')).version === version) {
      where = 'shared';
    } else {
      link(source, join(copy, 'node_modules', name));
      where = 'nested';
    }
    dependencies.push({ name, version, where });
  }
  return { site, dependencies };
}

/** The build under test (bench's `file:..` dependency) and, with BENCH_BASELINE, that checkout's. */
export function builds() {
  const list = [{ tag: 'this', root: realpathSync(join(BENCH, 'node_modules', 'server-errors')) }];
  if (process.env.BENCH_BASELINE)
    list.push({ tag: 'baseline', root: realpathSync(resolve(process.env.BENCH_BASELINE)) });
  return list;
}

let serverSites;

/**
 * The environment that points a server process at its sites (BENCH_SITE, and
 * BENCH_BASELINE_SITE with BENCH_BASELINE): made once per benchmark process, on
 * first use, and removed when it exits. Each holds `entry.mjs`, which imports
 * the package by name from there, so a server gets what `import` resolves to
 * in an app.
 */
export function siteEnv() {
  if (serverSites === undefined) {
    serverSites = {};
    const made = [];
    process.once('exit', () => {
      for (const site of made) rmSync(site, { recursive: true, force: true });
    });
    for (const { tag, root } of builds()) {
      const { site } = buildSite(root, tag);
      made.push(site);
      writeFileSync(join(site, 'entry.mjs'), "export * from 'server-errors';\n");
      serverSites[tag === 'this' ? 'BENCH_SITE' : 'BENCH_BASELINE_SITE'] = site;
    }
  }
  return serverSites;
}
