import type { Config } from 'jest';

import base from './jest.config';

// The suite Stryker runs once per mutant. Left out: the pack and example suites,
// which exercise the built dist/ that mutants never reach; the upstream suite,
// whose real undici timeouts cost about 13 s a run (test/classify/classify.test.ts
// covers the same error shapes); and the README suites, which parse src/options.ts
// as text and compile the README against src/.
const config: Config = {
  ...base,
  testPathIgnorePatterns: [
    ...(base.testPathIgnorePatterns ?? []),
    '/test/package/',
    '/test/features/upstream\\.test\\.ts$',
  ],
};

export default config;
