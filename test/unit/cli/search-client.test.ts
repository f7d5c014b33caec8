import { flagName } from '../../../cli/target/resolve-target';
import { clientAccess } from '../../../cli/target/search-client';

describe("a deployed function's setting in a CLI error", () => {
  it.each([
    ['OPENSEARCH_AUTH', '--auth'],
    ['OPENSEARCH_SIGNING_SERVICE', '--signing-service'],
    ['OPENSEARCH_REGION', '--signing-region'],
    ['OPENSEARCH_SECRET_ARN', '--secret-arn'],
    ['OPENSEARCH_ENDPOINT', '--opensearch'],
    ['MIRROR_INDEX', '--mirror-index'],
  ])('names %s by the flag that overrides it', (variable, flag) => {
    expect(flagName(variable)).toBe(`${flag} (the function's ${variable})`);
  });

  it.each(['MAX_BULK_BYTES', 'CHANGE_LOG_PARTITIONING', 'TOMBSTONE_RETENTION_HOURS'])('names %s as the function\'s variable when no flag overrides it', (variable) => {
    expect(flagName(variable)).toBe(`the function's ${variable}`);
  });
});

describe("the CLI's OpenSearch client access", () => {
  it('uses the default credential chain and the secret\'s own region against AWS', () => {
    expect(clientAccess({ local: false, region: 'eu-west-1' })).toEqual({});
  });

  it("signs with the emulator's credentials and reads secrets from the emulator locally", async () => {
    const access = clientAccess({ local: true, region: 'us-east-1', endpoint: 'http://localhost:4566' });
    expect(access.secretsManager).toMatchObject({ endpoint: 'http://localhost:4566', region: 'us-east-1' });
    await expect(access.awsCredentials!()).resolves.toMatchObject({ accessKeyId: expect.any(String), secretAccessKey: expect.any(String) });
  });
});
