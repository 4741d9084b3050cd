import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';

/** The short commit of the checkout at `dir`, or "unknown" when it is not one (an unpacked tarball). */
export function commitOf(dir) {
  try {
    return execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: 'pipe',
    }).trim();
  } catch {
    return 'unknown';
  }
}

/** What a reader needs to weigh the figures: where, when, on what, at which commit. */
export function describeMachine() {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch {
    // Not Linux: os.cpus() has the model too.
  }
  const commit = commitOf(process.cwd());
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    cores: availableParallelism(),
    cpu,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadAverage: loadavg()[0].toFixed(2),
    commit,
  };
}

export function machineLine(m) {
  return `${m.date}, commit ${m.commit}, Node ${m.node}, ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, load average ${m.loadAverage} at start.`;
}

/** The lines of a report that name BENCH_BASELINE's build, when the run measured one. */
export function baselineLines() {
  const dir = process.env.BENCH_BASELINE;
  return dir
    ? [`Baseline build (the \`baseline-\` contenders): \`${dir}\`, commit ${commitOf(dir)}.`, '']
    : [];
}
