import { execFileSync } from 'node:child_process';

/**
 * Pins a process to a list of cores ("1", "0-1") with taskset, so a server and
 * its load generator never take turns on one core. Returns false where taskset
 * is missing or refuses; the caller then reports the run as unpinned.
 */
export function pin(pid, cores) {
  try {
    execFileSync('taskset', ['-pc', cores, String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * BENCH_PIN="<generator cores>:<server cores>", e.g. "0:1". Unset: no pinning.
 * `name` reads another variable (OVERLOAD_PIN), `fallback` is used when it is
 * unset; "off" turns pinning off.
 */
export function pinning(name = 'BENCH_PIN', fallback = undefined) {
  const value = process.env[name] || fallback;
  if (!value || value === 'off') return undefined;
  const match = /^([\d,-]+):([\d,-]+)$/.exec(value);
  if (!match)
    throw new Error(`${name}: expected "<generator cores>:<server cores>" such as "0:1", got "${value}"`);
  return { generator: match[1], server: match[2] };
}
