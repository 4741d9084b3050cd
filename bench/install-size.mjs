// What `npm install server-errors` adds to an Express app on disk:
// `node bench/install-size.mjs` after `npm run build`. In a scratch project
// under the OS temp dir: `npm init`, `npm install express@<bench's version>`,
// measure node_modules; `npm pack` the repository, install the tarball,
// measure again. Goal: the difference ≤ 1 MB (10^6 bytes). The scratch
// directory, tarball included, is removed at the end. BENCH_BASELINE=<a
// checkout with dist/ built> measures that build too, in an app of its own.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describeMachine, machineLine } from './machine.mjs';
import { markdownTable } from './table.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const BENCH = fileURLToPath(new URL('.', import.meta.url));
const GOAL_BYTES = 1_000_000;
const NPM_TIMEOUT = 10 * 60 * 1000;
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const progress = (line) => process.stderr.write(`${line}\n`);

// Run from `npm run …`, npm hands its own prefix and package to the children: keep them out of the scratch project.
const env = Object.fromEntries(
  Object.entries(process.env).filter(
    ([key]) =>
      !/^npm_(package_|lifecycle_)/i.test(key) &&
      !/^npm_config_(prefix|global|local_prefix|ignore_scripts)$/i.test(key),
  ),
);

function npm(args, cwd) {
  const out = spawnSync('npm', args, {
    cwd,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: NPM_TIMEOUT,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (out.error || out.status !== 0)
    throw new Error(`npm ${args.join(' ')} (in ${cwd}) failed: ${out.error?.message ?? out.stderr.trim()}`);
  return out.stdout;
}

/**
 * Bytes under `dir` as `du -sb --apparent-size` counts them, less the
 * directories' own entries: the st_size of every regular file and symlink, no
 * link followed. `disk`: st_blocks × 512, what `du -sB1` would say.
 * `skip` leaves a subdirectory out (a package's own node_modules).
 */
function sizeOf(dir, { skip } = {}) {
  const total = { bytes: 0, disk: 0, files: 0, kinds: {} };
  const walk = (at) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) {
        if (skip && at === dir && entry.name === skip) continue;
        walk(path);
        continue;
      }
      const stat = lstatSync(path);
      total.bytes += stat.size;
      total.disk += stat.blocks * 512;
      total.files++;
      const kind = kindOf(entry.name);
      total.kinds[kind] = (total.kinds[kind] ?? 0) + stat.size;
    }
  };
  walk(dir);
  return total;
}

function kindOf(name) {
  if (/\.d\.[cm]?ts$/.test(name)) return 'type declarations (.d.ts, .d.cts, .d.mts)';
  if (/\.[cm]?ts$/.test(name)) return 'TypeScript sources';
  if (/\.map$/.test(name)) return 'source maps';
  if (/\.[cm]?js$/.test(name)) return 'JavaScript';
  if (/\.json$/.test(name)) return 'JSON';
  if (/\.(md|markdown)$/i.test(name) || /^(license|licence|readme|changelog)/i.test(name))
    return 'docs and licence';
  return extname(name) ? `other (${extname(name)})` : 'other';
}

/** Every package under a node_modules directory, nested ones included, with its own size (nested node_modules left out). */
function packagesIn(modules, into = new Map()) {
  if (!existsSync(modules)) return into;
  for (const entry of readdirSync(modules, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || !entry.isDirectory()) continue;
    const path = join(modules, entry.name);
    if (entry.name.startsWith('@')) {
      for (const member of readdirSync(path, { withFileTypes: true })) {
        if (member.isDirectory()) addPackage(join(path, member.name), into);
      }
    } else addPackage(path, into);
  }
  return into;
}

function addPackage(path, into) {
  if (!existsSync(join(path, 'package.json'))) return;
  const { name, version } = readJson(join(path, 'package.json'));
  into.set(path, { path, name, version, ...sizeOf(path, { skip: 'node_modules' }) });
  packagesIn(join(path, 'node_modules'), into);
}

/** Each top-level folder of a package, biggest first. */
function foldersOf(path) {
  return readdirSync(path, { withFileTypes: true })
    .map((entry) => {
      const at = join(path, entry.name);
      const size = entry.isDirectory() ? sizeOf(at).bytes : lstatSync(at).size;
      return { name: entry.isDirectory() ? `${entry.name}/` : entry.name, bytes: size };
    })
    .sort((a, b) => b.bytes - a.bytes);
}

// ——— the run ———

const builds = [{ name: 'this build', root: REPO }];
if (process.env.BENCH_BASELINE) builds.push({ name: 'baseline', root: resolve(process.env.BENCH_BASELINE) });
for (const { root } of builds) {
  for (const file of ['package.json', 'dist/index.js', 'dist/index.mjs']) {
    if (!existsSync(join(root, file)))
      throw new Error(`${join(root, file)} is missing: run \`npm run build\` in ${root} first.`);
  }
}
const machine = describeMachine();
const expressVersion = readJson(join(BENCH, 'node_modules', 'express', 'package.json')).version;
const npmVersion = npm(['--version'], REPO).trim();
const install = ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'];

/** A fresh Express app in `dir`; `root` packed and installed into it; what that added. */
function measure({ name, root }, dir) {
  const project = join(dir, 'app');
  mkdirSync(project, { recursive: true });
  npm(['init', '--yes'], project);
  progress(`${name}: npm install express@${expressVersion} in ${project}`);
  npm([...install, `express@${expressVersion}`], project);
  const modules = join(project, 'node_modules');
  const before = { total: sizeOf(modules), packages: packagesIn(modules) };

  progress(`${name}: npm pack --ignore-scripts in ${root}`);
  const [pack] = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], root));
  const packed = new Set(pack.files.map((f) => f.path));
  const missing = ['dist/index.js', 'dist/index.mjs', 'package.json'].filter((file) => !packed.has(file));
  if (missing.length) throw new Error(`the tarball lacks ${missing.join(', ')}: was dist/ being rebuilt?`);
  progress(`${name}: npm install ${pack.filename}`);
  npm([...install, join(dir, pack.filename)], project);
  const after = { total: sizeOf(modules), packages: packagesIn(modules) };

  const added = [...after.packages.values()].filter((p) => {
    const was = before.packages.get(p.path);
    return !was || was.version !== p.version || was.bytes !== p.bytes;
  });
  const ours = after.packages.get(join(modules, 'server-errors'));
  if (!ours) throw new Error('server-errors is not in node_modules after the install');
  const manifest = readJson(join(ours.path, 'package.json'));
  // Where each runtime dependency resolved, and whether Express had already brought it.
  const dependencies = Object.keys(manifest.dependencies ?? {}).map((dep) => {
    const nested = join(ours.path, 'node_modules', dep);
    const path = existsSync(join(nested, 'package.json')) ? nested : join(modules, dep);
    const now = after.packages.get(path);
    const was = before.packages.get(path);
    return {
      name: dep,
      range: manifest.dependencies[dep],
      version: now?.version,
      bytes: now?.bytes,
      files: now?.files,
      path: path.slice(project.length + 1),
      withExpress: Boolean(was && was.version === now?.version),
    };
  });
  const biggest = added.filter((p) => p !== ours).sort((a, b) => b.bytes - a.bytes)[0];
  const packagesBytes = added.reduce(
    (sum, p) => sum + p.bytes - (before.packages.get(p.path)?.bytes ?? 0),
    0,
  );
  return {
    name,
    root,
    tarball: {
      filename: pack.filename,
      size: pack.size,
      unpackedSize: pack.unpackedSize,
      entryCount: pack.entryCount,
    },
    before: before.total,
    after: after.total,
    addedBytes: after.total.bytes - before.total.bytes,
    addedDisk: after.total.disk - before.total.disk,
    npmOwnBytes: after.total.bytes - before.total.bytes - packagesBytes,
    packages: added.map(({ path, name: pkg, version, bytes, disk, files, kinds }) => ({
      path: path.slice(project.length + 1),
      name: pkg,
      version,
      bytes,
      disk,
      files,
      kinds,
    })),
    dependencies,
    breakdown: Object.fromEntries(
      [ours, biggest].filter(Boolean).map((p) => [p.name, { kinds: p.kinds, folders: foldersOf(p.path) }]),
    ),
  };
}

const scratch = mkdtempSync(join(tmpdir(), 'server-errors-install-'));
const measured = [];
try {
  builds.forEach((build, i) => measured.push(measure(build, join(scratch, String(i)))));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

// ——— the report ———

const MB = (bytes) => `${(bytes / 1e6).toFixed(2)} MB`;
const int = (n) => n.toLocaleString('en-US');

function goalLine(r) {
  const pass = r.addedBytes <= GOAL_BYTES;
  return (
    `- ${pass ? 'PASS' : 'FAIL'} \`npm install server-errors\`${r.name === 'this build' ? '' : ` (${r.name})`} adds ` +
    `${MB(r.addedBytes)} (${int(r.addedBytes)} bytes) to node_modules of an Express ${expressVersion} app ` +
    `(goal ≤ ${MB(GOAL_BYTES)}); ${MB(r.before.bytes)} before, ${MB(r.after.bytes)} after; on disk ${MB(r.addedDisk)} more`
  );
}

function buildSections(r) {
  const title = (text) => (measured.length > 1 ? `## ${text}, ${r.name}` : `## ${text}`);
  const dependencyRows = r.dependencies.map((d) => [
    `\`${d.name}\` ${d.range}`,
    d.version ?? 'missing',
    d.bytes === undefined ? '–' : int(d.bytes),
    d.bytes === undefined ? '–' : MB(d.bytes),
    d.withExpress ? 'already there with Express: adds 0' : `new, at ${d.path}`,
  ]);
  const packageRows = [...r.packages]
    .sort((a, b) => b.bytes - a.bytes)
    .map((p) => [`\`${p.path}\``, p.version, int(p.files), int(p.bytes), MB(p.bytes), MB(p.disk)]);
  const breakdownLines = Object.entries(r.breakdown).map(([pkg, { kinds, folders }]) => {
    const total = Object.values(kinds).reduce((sum, b) => sum + b, 0);
    const byKind = Object.entries(kinds)
      .sort((a, b) => b[1] - a[1])
      .map(([kind, bytes]) => `${kind} ${MB(bytes)} (${Math.round((100 * bytes) / total)}%)`)
      .join(', ');
    const byFolder = folders
      .slice(0, 6)
      .map((f) => `\`${f.name}\` ${MB(f.bytes)}`)
      .join(', ');
    return `- \`${pkg}\`, ${MB(total)}: by kind: ${byKind}. By top-level entry: ${byFolder}.`;
  });
  return [
    title('What the runtime dependencies weigh'),
    markdownTable(
      [
        { title: 'dependency' },
        { title: 'version' },
        { title: 'bytes', right: true },
        { title: 'MB', right: true },
        { title: 'in the Express app' },
      ],
      dependencyRows,
    ),
    title('Every package the install added'),
    markdownTable(
      [
        { title: 'package' },
        { title: 'version' },
        { title: 'files', right: true },
        { title: 'bytes', right: true },
        { title: 'MB', right: true },
        { title: 'on disk', right: true },
      ],
      packageRows,
    ),
    `npm's own files (\`.package-lock.json\`, \`.bin\`) changed by ${int(r.npmOwnBytes)} bytes.`,
    title('Where the bytes are'),
    breakdownLines.join('\n'),
  ];
}

const tarballs = measured
  .map(
    (r) =>
      `${r.name} (${r.root}): ${r.tarball.filename}, ${int(r.tarball.entryCount)} files, ` +
      `${MB(r.tarball.size)} packed, ${MB(r.tarball.unpackedSize)} unpacked`,
  )
  .join('; ');
const markdown = `${[
  '# Install size: what `npm install server-errors` adds to an Express app',
  machineLine(machine),
  `npm ${npmVersion}. A scratch project under the OS temp dir per build: \`npm init --yes\`, ` +
    `\`npm install express@${expressVersion}\` (bench/'s version), then \`npm pack --ignore-scripts\` of the build ` +
    `and \`npm install\` of the tarball (installs: \`--prefer-offline --ignore-scripts --no-audit --no-fund\`; ` +
    `optional peers are not installed). Tarballs: ${tarballs}. ` +
    'Bytes: the apparent size of every regular file and symlink under node_modules (`du -sb --apparent-size` less the ' +
    "directories' own entries; npm's `.package-lock.json` and `.bin` included); on disk: allocated blocks, as `du -sB1`. " +
    '1 MB = 10^6 bytes.',
  '## Goal',
  measured.map(goalLine).join('\n'),
  ...(measured.length > 1
    ? [
        `This build adds ${int(measured[0].addedBytes - measured[1].addedBytes)} bytes more than the baseline ` +
          `(${MB(measured[0].addedBytes - measured[1].addedBytes)}; negative: fewer).`,
      ]
    : []),
  ...measured.flatMap(buildSections),
].join('\n\n')}\n`;

const results = new URL('./results/', import.meta.url);
mkdirSync(results, { recursive: true });
writeFileSync(new URL('install-size.md', results), markdown);
writeFileSync(
  new URL('install-size.json', results),
  `${JSON.stringify({ machine, npm: npmVersion, express: expressVersion, builds: measured }, null, 2)}\n`,
);
process.stdout.write(markdown);
