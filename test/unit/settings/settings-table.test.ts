/** The settings table itself: one meaning per name, defaults its own rules accept, one default per place. */
import {
  CONTEXT_SETTING_KEYS,
  declaration,
  defaultFor,
  ENVIRONMENT,
  FLAG_SETTING_KEYS,
  FUNCTION_SETTING_KEYS,
  PROP_NAMES,
  PROP_SETTING_KEYS,
  SETTINGS,
  type SettingKey,
} from '../../../lambda/settings';

const KEYS = Object.keys(SETTINGS) as SettingKey[];

describe('the settings table', () => {
  it.each([
    ['context key', KEYS.map((key) => declaration(key).context)],
    ['environment variable', KEYS.map((key) => declaration(key).env)],
    ['prop', KEYS.map((key) => declaration(key).prop?.name)],
    ['CLI flag', KEYS.map((key) => declaration(key).cli?.flag)],
  ])('gives each %s to one setting only', (_, names) => {
    const given = names.filter((name) => name !== undefined);
    expect(new Set(given).size).toBe(given.length);
  });

  it('keeps the names users know: context keys, variables, props and flags', () => {
    expect(CONTEXT_SETTING_KEYS.map((key) => SETTINGS[key].context)).toEqual(
      expect.arrayContaining([
        'target',
        'tableName',
        'functionName',
        'dlqName',
        'openSearch',
        'openSearchSecretArn',
        'allowInsecureOpenSearch',
      ]),
    );
    expect(ENVIRONMENT).toMatchObject({
      openSearchEndpoint: 'OPENSEARCH_ENDPOINT',
      authMode: 'OPENSEARCH_AUTH',
      signingRegion: 'OPENSEARCH_REGION',
      basicAuthSecretArn: 'OPENSEARCH_SECRET_ARN',
      tombstoneRetentionHours: 'TOMBSTONE_RETENTION_HOURS',
    });
    expect(PROP_NAMES).toMatchObject({ changeLogRetentionDays: 'changeLogRetention (days)', authMode: 'authMode' });
    expect(FLAG_SETTING_KEYS.map((key) => SETTINGS[key].cli.flag)).toEqual([
      '--opensearch',
      '--table',
      '--change-log-index',
      '--mirror-index',
      '--dead-letter-index',
      '--key-schema',
      '--auth',
      '--signing-service',
      '--signing-region',
      '--secret-arn',
      '--allow-insecure-endpoint',
    ]);
    expect(PROP_SETTING_KEYS.length).toBeGreaterThan(15);
  });

  it.each(KEYS)('%s: every default is one its own rule accepts, unchanged, at every place that takes it', (key) => {
    const setting = declaration(key);
    for (const place of ['local', 'aws', 'construct', 'function'] as const) {
      const value = defaultFor(setting, place);
      if (value !== undefined) expect(setting.rule.check(key, value)).toEqual(value);
    }
  });

  it.each(FUNCTION_SETTING_KEYS)('%s: a value written to the environment is read back as it was', (key) => {
    const setting = declaration(key);
    const value = defaultFor(setting, 'function') ?? defaultFor(setting, 'local');
    if (value !== undefined) expect(setting.rule.check(key, setting.rule.format(value))).toEqual(value);
  });

  it('has one change-log retention default per place: 30 days for the construct and on aws, 0 locally and when the function or the CLI has none written', () => {
    const retention = SETTINGS.changeLogRetentionDays;
    expect([defaultFor(retention, 'construct'), defaultFor(retention, 'aws')]).toEqual([30, 30]);
    expect([defaultFor(retention, 'local'), defaultFor(retention, 'function')]).toEqual([0, 0]);
  });

  it("gives the demo's names to the CDK app only: the construct generates its own, the function has none", () => {
    expect(defaultFor(SETTINGS.functionName, 'aws')).toBe('dynamodb-cdc-handler');
    expect(defaultFor(SETTINGS.functionName, 'construct')).toBeUndefined();
    expect(defaultFor(SETTINGS.openSearchEndpoint, 'function')).toBeUndefined();
  });
});
