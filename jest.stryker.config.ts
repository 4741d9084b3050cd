import type { Config } from 'jest';

import base from './jest.config';

// The suite Stryker runs once per mutant. Left out: the pack and example suites,
// which exercise the built dist/ that mutants never reach; the upstream suite,
// whose real undici timeouts cost about 13 s a run (test/classify.test.ts covers
// the same error shapes); and the README suite, which parses src/options.ts as
// text and fails on Stryker's instrumented copy.
const config: Config = {
  ...base,
  testPathIgnorePatterns: [
    ...(base.testPathIgnorePatterns ?? []),
    '/test/pack\\.test\\.ts$',
    '/test/example\\.test\\.ts$',
    '/test/upstream\\.test\\.ts$',
    '/test/readme\\.test\\.ts$',
  ],
};

export default config;
