/**
 * Four suites: unit (pure core, no I/O), synth (CDK template, compose file), package (the packed
 * package in a consumer CDK app), integration (real engines).
 */
const tsJest = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };

module.exports = {
  projects: [
    { displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'], transform: tsJest, testEnvironment: 'node' },
    {
      displayName: 'synth',
      testMatch: ['<rootDir>/test/synth/**/*.test.ts'],
      transform: tsJest,
      testEnvironment: 'node',
      snapshotSerializers: ['<rootDir>/test/support/mask-asset-hashes.js'],
    },
    { displayName: 'package', testMatch: ['<rootDir>/test/package/**/*.test.ts'], transform: tsJest, testEnvironment: 'node' },
    {
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      transform: tsJest,
      testEnvironment: 'node',
      globalSetup: '<rootDir>/test/integration/global-setup.ts',
      globalTeardown: '<rootDir>/test/integration/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/integration/setup-timeout.ts'],
      maxWorkers: 1,
    },
  ],
};
