import type { Config } from 'jest';

import base from './jest.config';

// The browser suite: real Chromium on pages a real server sends. Starting the
// browser takes seconds, hence the longer timeout.
const config: Config = {
  ...base,
  testMatch: ['**/*.browser.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 60_000,
};

export default config;
