import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // The browser suite needs Chromium and runs through `npm run test:browser`.
  testPathIgnorePatterns: ['/node_modules/', '\\.browser\\.test\\.ts$'],
};

export default config;
