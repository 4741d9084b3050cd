import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The package under test: this build, or with `baseline` the one built in the
 * checkout named by BENCH_BASELINE. Imported on demand, so that a server
 * process loads one copy of the package, never both.
 */
export function importLibrary(baseline) {
  return baseline
    ? import(pathToFileURL(join(process.env.BENCH_BASELINE ?? '', 'dist', 'index.js')).href)
    : import('server-errors');
}
