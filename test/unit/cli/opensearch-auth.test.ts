/** How the CLI authenticates to OpenSearch: flag names for the function's auth settings, its AWS access, what it says on refusal. */
import { describeFailure } from '../../../cli/deployment/options';
import { flagName } from '../../../cli/deployment/find-deployment';
import { clientAccess } from '../../../cli/deployment/search-client';
import { BasicAuthSecretError } from '../../../lambda/adapters/secrets/basic-auth-secret';

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

  it.each(['MAX_BULK_BYTES', 'CHANGE_LOG_PARTITIONING', 'TOMBSTONE_RETENTION_HOURS'])(
    "names %s as the function's variable when no flag overrides it",
    (variable) => {
      expect(flagName(variable)).toBe(`the function's ${variable}`);
    },
  );
});

describe("the CLI's OpenSearch client access", () => {
  it("uses the default credential chain and the secret's own region against AWS", () => {
    // The chain as a provider (the function's default, the environment's, is not the CLI's); secrets in their own region.
    expect(clientAccess({ local: false, region: 'eu-west-1' })).toEqual({ awsCredentials: expect.any(Function) });
  });

  it("signs with the emulator's credentials and reads secrets from the emulator locally", async () => {
    const access = clientAccess({ local: true, region: 'us-east-1', endpoint: 'http://localhost:4566' });
    expect(access.secretsManager).toMatchObject({ endpoint: 'http://localhost:4566', region: 'us-east-1' });
    await expect(access.awsCredentials!()).resolves.toMatchObject({ accessKeyId: expect.any(String), secretAccessKey: expect.any(String) });
  });
});

describe('a failure to reach OpenSearch, said to the CLI user', () => {
  it('names the secret and its shape as they are, not as a network failure', () => {
    const error = new BasicAuthSecretError(
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x',
      'cannot be read (ResourceNotFoundException: not found)',
    );
    expect(describeFailure(error)).toBe(`✖ ${error.message}`);
  });

  it.each([401, 403])('points at the authentication when OpenSearch answers %s', (statusCode) => {
    const error = Object.assign(new Error('security_exception'), { name: 'ResponseError', statusCode });
    expect(describeFailure(error)).toBe(
      `✖ OpenSearch refused the request (${statusCode} security_exception): check how it authenticates (--auth, or the function's OPENSEARCH_AUTH) and that these credentials may use the domain or collection`,
    );
  });
});
