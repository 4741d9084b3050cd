// Start-up cost of importing server-errors: `node bench/startup.mjs` after
// `npm run build` and `npm --prefix bench ci`. Every case is a whole process
// (`node -e "require(…)"`, or the same with --input-type=module and `import`),
// started once per round, all cases in turn, for STARTUP_ROUNDS rounds (20).
// Goal: what the package adds ≤ 0.25× what Express adds, from the medians.
// BENCH_BASELINE=<a checkout with dist/ built> adds the same cases for that build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import { positiveInt } from './env.mjs';
import { commitOf, describeMachine, machineLine } from './machine.mjs';
import { buildSite, builds as siteBuilds } from './site.mjs';
import { compare, median } from './stats.mjs';
import { markdownTable } from './table.mjs';

const BENCH = fileURLToPath(new URL('.', import.meta.url));
const CENSUS = fileURLToPath(new URL('./startup-census.mjs', import.meta.url));
const GOAL = 0.25;
const settings = {
  rounds: positiveInt('STARTUP_ROUNDS', 20),
  timeout: positiveInt('STARTUP_TIMEOUT', 60),
};
const progress = (line) => process.stderr.write(`${line}\n`);
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

// Each process ends its code with the same one-line report of its own CPU time
// (all its threads, µs) and peak RSS (KB): the floor pays for it too.
const REPORT =
  'const u=process.resourceUsage();process.stdout.write(JSON.stringify({cpu:u.userCPUTime+u.systemCPUTime,rss:u.maxRSS}));';
const SYSTEMS = {
  cjs: {
    title: 'CommonJS',
    flags: [],
    line: (s) => `require(${JSON.stringify(s)});`,
    how: '`node -e "require(…)"`',
  },
  esm: {
    title: 'ES modules',
    flags: ['--input-type=module'],
    line: (s) => `import ${JSON.stringify(s)};`,
    how: '`node --input-type=module -e "import …"`',
  },
};
// No preload the caller set may land in one case and not another.
const env = { ...process.env };
delete env.NODE_OPTIONS;

/** The subpaths a build declares, and the ones whose dist files are not there. */
function subpathsOf(root) {
  const { exports = {} } = readJson(join(root, 'package.json'));
  const present = [];
  const skipped = [];
  for (const [key, target] of Object.entries(exports)) {
    if (key === '.' || key === './package.json') continue;
    const files = [target?.require?.default, target?.import?.default].filter(Boolean);
    const missing = files.filter((file) => !existsSync(join(root, file)));
    if (missing.length || files.length === 0)
      skipped.push({ key, missing: missing.length ? missing : [key] });
    else present.push(key);
  }
  return { present, skipped };
}

function codeOf(kase, { report }) {
  const { line } = SYSTEMS[kase.system];
  return `${kase.specifiers.map(line).join('')}${report ? REPORT : ''}` || '0';
}

/** One process of a case, as spawnSync returns it: `before` goes ahead of the module flags. */
function spawnCase(kase, { report, before = [], maxBuffer }) {
  return spawnSync(
    process.execPath,
    [...before, ...SYSTEMS[kase.system].flags, '-e', codeOf(kase, { report })],
    {
      cwd: kase.site,
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: settings.timeout * 1000,
      killSignal: 'SIGKILL',
      ...(maxBuffer ? { maxBuffer } : {}),
    },
  );
}

function runOnce(kase) {
  const started = performance.now();
  const out = spawnCase(kase, { report: true });
  const wall = performance.now() - started;
  if (out.error || out.status !== 0)
    return { failed: String(out.error?.message ?? out.stderr.trim().split('\n').at(-1) ?? out.status) };
  const { cpu, rss } = JSON.parse(out.stdout);
  return { wall, cpu: cpu / 1000, rss: rss / 1024 };
}

function censusOf(kase) {
  const out = spawnCase(kase, { report: false, before: ['--import', CENSUS], maxBuffer: 64 * 1024 * 1024 });
  if (out.error || out.status !== 0)
    throw new Error(`${kase.label} (${kase.system}) failed: ${out.error?.message ?? out.stderr}`);
  const { files, self } = JSON.parse(out.stdout);
  const selfByKey = {};
  for (const [key, ms] of Object.entries(self)) {
    const name = isBuiltin(key) ? `node:${key.replace(/^node:/, '')}` : key;
    selfByKey[name] = (selfByKey[name] ?? 0) + ms;
  }
  return { files: files.filter((file) => !isBuiltin(file)), self: selfByKey };
}

/** The package a loaded file belongs to (the last node_modules segment), or the built-in's name. */
function packageOf(file) {
  if (file.startsWith('node:')) return `${file} (built-in)`;
  const marker = `${sep}node_modules${sep}`;
  const at = file.lastIndexOf(marker);
  if (at === -1) return 'other';
  const [first, second] = file.slice(at + marker.length).split(sep);
  return first.startsWith('@') ? `${first}/${second}` : first;
}

/** Where a package's files are: its first two directories ("v4/locales"). */
function folderOf(file) {
  const marker = `${sep}node_modules${sep}`;
  const inside = file.slice(file.lastIndexOf(marker) + marker.length).split(sep);
  const skip = inside[0].startsWith('@') ? 2 : 1;
  const dirs = inside.slice(skip, -1).slice(0, 2);
  return dirs.length ? dirs.join('/') : '(top)';
}

/** What `kase` loads that `base` does not: files and built-ins, grouped by package, biggest self time first. */
function addedBy(kase, base) {
  const baseFiles = new Set(base?.census.files ?? []);
  const baseSelf = base?.census.self ?? {};
  const files = kase.census.files.filter((file) => !baseFiles.has(file));
  const groups = new Map();
  const group = (name) => {
    if (!groups.has(name)) groups.set(name, { name, files: 0, ms: 0, folders: new Map() });
    return groups.get(name);
  };
  for (const file of files) {
    const g = group(packageOf(file));
    g.files++;
    g.ms += kase.census.self[file] ?? 0;
    const folder = folderOf(file);
    const f = g.folders.get(folder) ?? { files: 0, ms: 0 };
    f.files++;
    f.ms += kase.census.self[file] ?? 0;
    g.folders.set(folder, f);
  }
  for (const [key, ms] of Object.entries(kase.census.self)) {
    if (key.startsWith('node:') && !(key in baseSelf)) group(packageOf(key)).ms += ms;
  }
  const packages = [...groups.values()]
    .map((g) => ({
      ...g,
      folders: Object.fromEntries([...g.folders].sort((a, b) => b[1].ms - a[1].ms)),
    }))
    .sort((a, b) => b.ms - a.ms);
  return { files: files.length, ms: packages.reduce((sum, g) => sum + g.ms, 0), packages };
}

// ——— the cases ———

const machine = describeMachine();
const builds = siteBuilds().map((build) => ({
  ...build,
  name: build.tag === 'this' ? 'this build' : build.tag,
}));
const expressVersion = readJson(join(BENCH, 'node_modules', 'express', 'package.json')).version;

const [ours] = builds;
const cases = [];
const sites = [];
try {
  for (const build of builds) {
    Object.assign(build, buildSite(build.root, build.tag), subpathsOf(build.root), {
      commit: commitOf(build.root),
    });
    sites.push(build.site);
  }
  const suffix = (build) => (build === ours ? '' : ` (${build.name})`);
  for (const system of Object.keys(SYSTEMS)) {
    const add = (kase) => cases.push({ system, samples: [], ...kase });
    add({ id: 'floor', kind: 'floor', label: '`node -e 0` (the floor)', specifiers: [], site: ours.site });
    add({
      id: 'express',
      kind: 'express',
      label: `\`express\` ${expressVersion}`,
      specifiers: ['express'],
      site: ours.site,
    });
    for (const build of builds) {
      // The issue's measure, for the main entry and every subpath: Express,
      // then the same process importing the package too.
      for (const key of ['.', ...build.present]) {
        const specifier = `server-errors${key.slice(1)}`;
        add({
          id: `express+${specifier}:${build.tag}`,
          kind: 'with-express',
          build: build.tag,
          target: specifier,
          label: `\`express\` + \`${specifier}\`${suffix(build)}`,
          specifiers: ['express', specifier],
          site: build.site,
        });
      }
      // Without Express, as a Fastify, Koa or fetch app loads it: its
      // dependencies are then its own to load (shown, not a goal).
      for (const key of ['.', ...build.present]) {
        const specifier = `server-errors${key.slice(1)}`;
        add({
          id: `${specifier}:${build.tag}`,
          kind: 'alone',
          build: build.tag,
          target: specifier,
          label: `\`${specifier}\` alone${suffix(build)}`,
          specifiers: [specifier],
          site: build.site,
        });
      }
    }
    // What each runtime dependency costs alone, loaded as the package loads it (require).
    if (system === 'cjs') {
      for (const dep of ours.dependencies) {
        add({
          id: `dep:${dep.name}`,
          kind: 'dependency',
          label: `\`${dep.name}\` ${dep.version} alone`,
          specifiers: [dep.name],
          site: ours.site,
        });
      }
    }
  }

  // One untimed census run of every case first: the files it loads and where
  // its time goes; it also brings every file into the page cache.
  progress(`census: ${cases.length} cases, one untimed process each`);
  for (const kase of cases) kase.census = censusOf(kase);

  for (let round = 0; round < settings.rounds; round++) {
    const started = performance.now();
    // Every case once, in turn, starting one further along each round, so that
    // no case always follows the same neighbour.
    for (let k = 0; k < cases.length; k++) {
      const kase = cases[(k + round) % cases.length];
      kase.samples[round] = runOnce(kase);
    }
    const failed = cases.filter((kase) => kase.samples[round].failed).length;
    progress(
      `round ${round + 1}/${settings.rounds}: ${cases.length} processes in ${((performance.now() - started) / 1000).toFixed(1)} s` +
        (failed ? `, ${failed} failed` : ''),
    );
  }
} finally {
  for (const site of sites) rmSync(site, { recursive: true, force: true });
}

// ——— the figures ———

const series = (kase, key) => kase.samples.map((sample) => sample[key] ?? NaN);
const minus = (a, b) => a.map((value, i) => value - b[i]);
const find = (system, id) => cases.find((kase) => kase.system === system && kase.id === id);

for (const kase of cases) {
  const floor = find(kase.system, 'floor');
  const express = find(kase.system, 'express');
  kase.base = kase.kind === 'with-express' ? express : kase.kind === 'floor' ? undefined : floor;
  const wall = series(kase, 'wall').filter(Number.isFinite);
  kase.figures = {
    wall: { median: median(wall), min: Math.min(...wall), max: Math.max(...wall) },
    cpu: median(series(kase, 'cpu')),
    rss: median(series(kase, 'rss')),
    failed: kase.samples.filter((sample) => sample.failed),
  };
  if (!kase.base) continue;
  const added = (key) => minus(series(kase, key), series(kase.base, key));
  kase.added = { wall: added('wall'), cpu: added('cpu'), rss: added('rss') };
  kase.figures.added = {
    wall: median(kase.added.wall),
    cpu: median(kase.added.cpu),
    rss: median(kase.added.rss),
  };
  kase.loads = addedBy(kase, kase.base);
}
for (const kase of cases) {
  const express = find(kase.system, 'express');
  if (kase.added && kase !== express) {
    kase.figures.vsExpress = {
      wall: compare(kase.added.wall, express.added.wall),
      cpu: compare(kase.added.cpu, express.added.cpu),
    };
  }
}

// ——— the report ———

const ms = (value) => (Number.isFinite(value) ? value.toFixed(1) : '–');
const mb = (value) => (Number.isFinite(value) ? value.toFixed(1) : '–');
const times = (ratio, digits = 2) =>
  ratio && Number.isFinite(ratio.value) ? `${ratio.value.toFixed(digits)}×` : '–';
const range = (ratio) => `round by round ${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)}`;
const goals = cases.filter((kase) => kase.kind === 'with-express' && kase.build === 'this');
const alone = cases.filter((kase) => kase.kind === 'alone' && kase.build === 'this');

function goalLines() {
  const lines = [];
  for (const kase of goals) {
    const ratio = kase.figures.vsExpress?.wall;
    const express = find(kase.system, 'express');
    const what = `${kase.label}, ${SYSTEMS[kase.system].title}`;
    if (!ratio || !Number.isFinite(ratio.value)) {
      lines.push(`- FAIL ${what}: not measured`);
      continue;
    }
    const cpu = kase.figures.vsExpress.cpu;
    lines.push(
      `- ${ratio.value <= GOAL ? 'PASS' : 'FAIL'} ${what}: adds ${ms(kase.figures.added.wall)} ms, ` +
        `${ratio.value.toFixed(3)}× the ${ms(express.figures.added.wall)} ms Express adds (goal ≤ ${GOAL}×; ${range(ratio)}); ` +
        `CPU time ${times(cpu)} (${range(cpu)})`,
    );
  }
  for (const build of builds) {
    for (const { key, missing } of build.skipped)
      lines.push(
        `- SKIPPED \`server-errors${key.slice(1)}\`${build.tag === 'this' ? '' : ` (${build.name})`}: ${missing.join(', ')} not built`,
      );
  }
  return lines.join('\n');
}

function aloneLines() {
  return alone
    .filter((kase) => kase.figures.vsExpress?.wall && Number.isFinite(kase.figures.vsExpress.wall.value))
    .map((kase) => {
      const ratio = kase.figures.vsExpress.wall;
      const express = find(kase.system, 'express');
      return (
        `- ${kase.label}, ${SYSTEMS[kase.system].title}: adds ${ms(kase.figures.added.wall)} ms, ` +
        `${ratio.value.toFixed(3)}× the ${ms(express.figures.added.wall)} ms Express adds (${range(ratio)})`
      );
    })
    .join('\n');
}

function systemTable(system) {
  const columns = [
    { title: 'Process' },
    { title: 'wall ms (median)', right: true },
    { title: 'range', right: true },
    { title: 'adds ms', right: true },
    { title: '÷ Express adds', right: true },
    { title: 'CPU ms', right: true },
    { title: 'adds CPU ms', right: true },
    { title: 'peak RSS MB', right: true },
    { title: 'adds MB', right: true },
    { title: 'files', right: true },
  ];
  const rows = cases
    .filter((kase) => kase.system === system)
    .map((kase) => {
      const f = kase.figures;
      return [
        kase.label,
        ms(f.wall.median),
        `${ms(f.wall.min)}–${ms(f.wall.max)}`,
        ms(f.added?.wall),
        times(f.vsExpress?.wall),
        ms(f.cpu),
        ms(f.added?.cpu),
        mb(f.rss),
        mb(f.added?.rss),
        String(kase.census.files.length),
      ];
    });
  return [`## ${SYSTEMS[system].title}: ${SYSTEMS[system].how}`, markdownTable(columns, rows)];
}

function loadsTable() {
  const columns = [
    { title: 'Process' },
    { title: 'loader' },
    { title: 'new files', right: true },
    { title: 'census ms', right: true },
    { title: 'what they are, biggest first: files, self ms' },
  ];
  const rows = cases
    .filter((kase) => kase.loads)
    .map((kase) => {
      const top = kase.loads.packages
        .filter((g) => g.ms >= 0.5 || g.files > 0)
        .slice(0, 6)
        .map((g) => `${g.name}${g.files ? ` ${g.files}` : ''} ${ms(g.ms)}`);
      return [
        kase.label,
        SYSTEMS[kase.system].title === 'CommonJS' ? 'CJS' : 'ESM',
        String(kase.loads.files),
        ms(kase.loads.ms),
        top.join('; ') || '–',
      ];
    });
  return markdownTable(columns, rows);
}

function insideLines() {
  // The packages the main entry brings with ten files or more, folder by folder.
  const main = find('cjs', 'express+server-errors:this');
  return (main?.loads.packages ?? [])
    .filter((g) => g.files >= 10)
    .map((g) => {
      const folders = Object.entries(g.folders)
        .slice(0, 8)
        .map(([folder, f]) => `\`${folder}\` ${f.files} ${f.files === 1 ? 'file' : 'files'} ${ms(f.ms)} ms`)
        .join(', ');
      return `- Inside ${g.name} (${g.files} files, ${ms(g.ms)} ms in the census of \`express\` + \`server-errors\`, CommonJS): ${folders}.`;
    });
}

function baselineLines() {
  if (builds.length < 2) return [];
  const lines = [];
  for (const kase of [...goals, ...alone]) {
    const theirs = cases.find(
      (k) => k.system === kase.system && k.id === kase.id.replace(/:this$/, ':baseline'),
    );
    if (!theirs?.added) continue;
    const ratio = compare(kase.added.wall, theirs.added.wall);
    lines.push(
      `- ${kase.label}, ${SYSTEMS[kase.system].title}: adds ${ms(kase.figures.added.wall)} ms, the baseline ${ms(theirs.figures.added.wall)} ms: ` +
        `${times(ratio, 3)} (${range(ratio)})`,
    );
  }
  return [
    '## This build against the baseline (`BENCH_BASELINE`)',
    'Wall time each adds, this build ÷ the baseline:',
    lines.join('\n'),
  ];
}

function failureLines() {
  const failed = cases.filter((kase) => kase.figures.failed.length);
  if (!failed.length) return [];
  return [
    '## Failed runs',
    failed
      .map(
        (kase) =>
          `- ${kase.label} (${kase.system}): ${kase.figures.failed.length} of ${settings.rounds} runs failed: ${kase.figures.failed[0].failed}`,
      )
      .join('\n'),
  ];
}

const deps = (where) =>
  ours.dependencies
    .filter((d) => d.where === where)
    .map((d) => `${d.name} ${d.version}`)
    .join(', ') || 'none';
const markdown = `${[
  '# Start-up: what importing server-errors adds to a process',
  machineLine(machine),
  `${settings.rounds} rounds; each round starts every one of the ${cases.length} cases below once, as a process of its own, ` +
    `one after the other, starting one case further along each round. Wall time: from spawn to exit, seen by the parent. ` +
    `CPU time (all threads) and peak RSS: reported by the process itself at the end of its code. ` +
    `"adds": the median over the rounds of the case's figure less its base in the same round (the floor; ` +
    `for \`express\` + an entry point, \`express\` alone). "÷ Express adds": that median over Express's, with the round-by-round range.`,
  `The package: ${builds.map((b) => `${b.name} (${b.root}, commit ${b.commit})`).join('; ')}: package.json and dist/ copied at the start into a scratch install with ` +
    `bench/'s Express ${expressVersion}. Runtime dependencies shared with Express there (same version, loaded once): ${deps('shared')}; ` +
    `its own: ${deps('own')}; nested at another version: ${deps('nested')}.`,
  '## Goal',
  'What importing adds to a process that has imported Express, ÷ what importing Express adds to `node -e 0`:',
  goalLines(),
  '## Without Express',
  'The same entry points in a process of their own, against the floor: their dependencies (negotiator, statuses, vary, http-errors, node:http) are theirs to load here, which Express shares with them otherwise. Shown, not a goal of the issue:',
  aloneLines(),
  ...systemTable('cjs'),
  ...systemTable('esm'),
  '## What each import loads',
  'From one untimed census process per case (`startup-census.mjs`): the files it loads that its base does not, grouped by package, ' +
    'and the self time of each CommonJS load (time in `Module._load` less the loads it made), which adds up the compile and ' +
    'top-level run of each file and of the built-ins it is first to require. The census hooks slow the process, so read these ' +
    'milliseconds as shares, the wall times above as the cost.',
  loadsTable(),
  insideLines().join('\n'),
  ...baselineLines(),
  ...failureLines(),
]
  .filter((part) => part !== '')
  .join('\n\n')}\n`;

const results = new URL('./results/', import.meta.url);
mkdirSync(results, { recursive: true });
writeFileSync(new URL('startup.md', results), markdown);
writeFileSync(
  new URL('startup.json', results),
  `${JSON.stringify(
    {
      machine,
      settings,
      builds: builds.map(({ name, root, commit, dependencies, present, skipped }) => ({
        name,
        root,
        commit,
        dependencies,
        subpaths: present,
        skipped,
      })),
      cases: cases.map(({ id, system, kind, label, specifiers, samples, figures, loads, census }) => ({
        id,
        system,
        kind,
        label,
        specifiers,
        figures,
        loads,
        samples,
        files: census.files.length,
      })),
    },
    null,
    2,
  )}\n`,
);
process.stdout.write(markdown);
