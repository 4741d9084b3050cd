// @ts-check
// Mutation testing, run by hand with `npm run mutate` (too slow for CI).

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'jest.stryker.config.ts' },
  coverageAnalysis: 'perTest',
  mutate: [
    'src/**/*.ts',
    // Re-exports only.
    '!src/index.ts',
    '!src/index.mts',
  ],
  reporters: ['clear-text', 'progress', 'html'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  concurrency: 2,
  // On top of each mutant's covering tests' own time (which includes the real
  // timers of the tests that start servers): room for a busy 2-core machine.
  timeoutMS: 10_000,
  dryRunTimeoutMinutes: 10,
};
