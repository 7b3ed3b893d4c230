/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The browser test runs on its own (`npm run test:ui`): it needs Debian's chromium. The real-cluster tests
  // too (`npm run test:production`): PostgreSQL and a Temporal server built from source. Both scripts
  // replace this list on the command line (--testPathIgnorePatterns=/node_modules/).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/ui/', '<rootDir>/test/production/'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
  // Suites that start a Temporal dev server and bundle workflows need more than the default 5 s.
  testTimeout: 120_000,
};
