/** Unit specs sit beside the code; integration and e2e suites live in test/. */
module.exports = {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testRegex: '.*\\.(spec|test)\\.ts$',
  // Transpile only (tsconfig.jest.json): `npm test` type-checks src/ and test/ with tsc first.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }] },
  testTimeout: 120000,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  // The longest suites first on a fresh checkout (two workers: no lone minute-long suite at the end).
  testSequencer: '<rootDir>/test/support/sequencer.js',
  verbose: false,
};
