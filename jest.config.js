/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The browser test runs on its own (`npm run test:ui`): it needs Debian's chromium.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/ui/'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
  // Suites that start a Temporal dev server and bundle workflows need more than the default 5 s.
  testTimeout: 120_000,
};
