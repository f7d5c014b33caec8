/** The deployed function's settings as the CLI reads them: the flags overriding, the same rules and https guard as the function. */
import { deploymentSettings, type DeploymentFound } from '../../../cli/deployment/find-deployment';
import { SettingError } from '../../../lambda/settings/setting-error';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:opensearch-AbCdEf';
const AWS = { local: false, region: 'eu-west-1' };
const DEPLOYED_BASIC_OVER_HTTP = {
  OPENSEARCH_ENDPOINT: 'http://search.internal:9200',
  OPENSEARCH_AUTH: 'basic',
  OPENSEARCH_SECRET_ARN: SECRET_ARN,
  MIRROR_INDEX: 'orders',
  KEY_SCHEMA: 'pk',
  TABLE_NAME: 'Orders',
  CHANGE_LOG_RETENTION_DAYS: '30',
};

function found(deployed: Record<string, string>, overrides: Record<string, string | boolean> = {}): DeploymentFound {
  return { access: AWS, overrides: { stack: 'S', ...overrides }, outputs: { TableName: 'Orders' }, deployed };
}

describe("a deployed function's settings read by the CLI", () => {
  it('refuses plain http with basic authentication, naming the flags that change it', () => {
    const read = () => deploymentSettings(found(DEPLOYED_BASIC_OVER_HTTP), {});
    expect(read).toThrow(SettingError);
    expect(read).toThrow(
      /^--opensearch \(the function's OPENSEARCH_ENDPOINT\) must use https with basic authentication .*got "http:\/\/search.internal:9200"\. .*--allow-insecure-endpoint \(the function's OPENSEARCH_ALLOW_INSECURE\) set to true/,
    );
  });

  it('accepts it when the deployed function allows it, or the flag does', () => {
    expect(deploymentSettings(found({ ...DEPLOYED_BASIC_OVER_HTTP, OPENSEARCH_ALLOW_INSECURE: 'true' }), {}).allowInsecureEndpoint).toBe(
      true,
    );
    expect(deploymentSettings(found(DEPLOYED_BASIC_OVER_HTTP, { allowInsecureEndpoint: true }), {}).auth).toEqual({
      mode: 'basic',
      secretArn: SECRET_ARN,
    });
  });

  it('takes the flags over what the function says', () => {
    const settings = deploymentSettings(
      found(DEPLOYED_BASIC_OVER_HTTP, { opensearch: 'https://search.example.com', mirrorIndex: 'orders-2', table: 'Orders2' }),
      {},
    );
    expect(settings).toMatchObject({
      openSearchEndpoint: 'https://search.example.com',
      indexes: { mirror: 'orders-2' },
      tableName: 'Orders2',
    });
    expect(settings.changeLogRetentionDays).toBe(30);
  });

  it('names a bad flag by the flag', () => {
    expect(() => deploymentSettings(found(DEPLOYED_BASIC_OVER_HTTP, { auth: 'iam' }), {})).toThrow(
      `--auth (the function's OPENSEARCH_AUTH) must be one of none, sigv4, basic, got "iam"`,
    );
  });

  it('without a deployment takes the flags, and for the rest the defaults that delete nothing: a change-log retention of 0', () => {
    const settings = deploymentSettings(
      {
        access: AWS,
        overrides: { stack: 'S', table: 'Orders', keySchema: 'pk', mirrorIndex: 'orders', opensearch: 'https://search.example.com' },
        deployed: {},
      },
      {},
    );
    expect(settings).toMatchObject({ tableName: 'Orders', changeLogRetentionDays: 0, tombstoneRetentionHours: 48, auth: { mode: 'none' } });
  });

  it("reads the routing from the function's MIRRORS and CHANGE_LOG_RULES, as the function does", () => {
    const mirrors = [{ index: 'users', match: { attribute: 'type', equals: 'user' } }, { index: 'orders' }];
    const deployed = {
      ...DEPLOYED_BASIC_OVER_HTTP,
      OPENSEARCH_AUTH: 'none',
      MIRRORS: JSON.stringify(mirrors),
      CHANGE_LOG_RULES: JSON.stringify({ exclude: ['ssn'] }),
    };
    expect(deploymentSettings(found(deployed), {}).routing).toEqual({ mirrors, changeLog: { exclude: ['ssn'] } });
    expect(deploymentSettings(found({ ...DEPLOYED_BASIC_OVER_HTTP, OPENSEARCH_AUTH: 'none' }), {}).routing).toBeUndefined();
  });
});
