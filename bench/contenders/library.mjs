import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The package under test: this build, or with `baseline` the one built in the
 * checkout named by BENCH_BASELINE, each from the site child.mjs made for it,
 * where it shares Express's dependencies as in an app (site.mjs). Imported on
 * demand, so that a server process loads one copy of the package, never both.
 */
export function importLibrary(baseline) {
  const name = baseline ? 'BENCH_BASELINE_SITE' : 'BENCH_SITE';
  const site = process.env[name];
  if (!site) throw new Error(`${name} is not set: start servers with child.mjs's startServer`);
  return import(pathToFileURL(join(site, 'entry.mjs')).href);
}
