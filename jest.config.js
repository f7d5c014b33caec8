/**
 * Four projects (`npx jest --selectProjects <name>`):
 * - unit: no engine and nothing beyond this machine. The pure core (lambda/core); the pipeline
 *   against an in-memory engine; the OpenSearch adapter against stub clients, and its request
 *   signing and basic auth against local HTTP servers that check every request (test/support);
 *   the settings; the handler's events; the CLI's own logic (cli/); the local runner's choices
 *   that need no engine (local/); properties over generated items (fast-check).
 * - synth: the CDK templates (snapshot with asset hashes masked, every aws variant, cdk-nag),
 *   `cdk synth` through the real CDK CLI, the handler code's bundling, docker-compose.yml.
 * - package: the packed package installed in a consumer CDK app (npm pack and install: slow).
 * - integration: the real engines, one file at a time (global-setup starts them when nothing
 *   answers on AWS_ENDPOINT_URL / OPENSEARCH_URL, and stops them afterwards).
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
