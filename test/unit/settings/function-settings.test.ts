import { fromFunctionEnvironment, resolveFunctionSettings, toFunctionEnvironment } from '../../../lambda/settings/function-settings';
import { SettingError } from '../../../lambda/settings/setting-error';
import fc from 'fast-check';

const valid = { OPENSEARCH_ENDPOINT: 'http://localhost:9200/', MIRROR_INDEX: 'test-table', KEY_SCHEMA: 'id' };

describe('the function settings contract', () => {
  it('reads the settings with their defaults', () => {
    expect(fromFunctionEnvironment(valid)).toEqual({
      openSearchEndpoint: 'http://localhost:9200',
      indexes: { changeLog: 'dynamodb-cdc', mirror: 'test-table', deadLetter: 'dynamodb-cdc-deadletter' },
      keySchema: { partitionKey: 'id' },
      maxBulkBytes: 9 * 1024 * 1024,
      requestTimeoutMs: 30_000,
      failureReporting: 'partial',
      auth: { mode: 'none' },
      allowInsecureEndpoint: false,
      changeLogPartitioning: 'daily',
      changeLogRetentionDays: 0,
      mirrorShards: 1,
      tombstoneRetentionHours: 48,
    });
  });

  it.each([
    [{ authMode: 'sigv4', signingService: 'aoss', signingRegion: 'eu-west-1' }],
    [{ authMode: 'sigv4', signingRegion: 'us-gov-west-1' }],
    [{ authMode: 'basic', basicAuthSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:opensearch-AbCdEf' }],
  ])('reads back each authentication mode as written: %j', (auth) => {
    const settings = resolveFunctionSettings({
      openSearchEndpoint: 'https://search.example.com',
      mirrorIndex: 'orders',
      keySchema: 'pk',
      ...auth,
      changeLogRetentionDays: 30,
      mirrorShards: 6,
    });
    expect(fromFunctionEnvironment(toFunctionEnvironment(settings))).toEqual(settings);
  });

  it("signs for the function's own region when none is given", () => {
    const https = { ...valid, OPENSEARCH_ENDPOINT: 'https://search.example.com' };
    expect(fromFunctionEnvironment({ ...https, OPENSEARCH_AUTH: 'sigv4', AWS_REGION: 'ap-northeast-1' }).auth).toEqual({
      mode: 'sigv4',
      service: 'es',
      region: 'ap-northeast-1',
    });
  });

  it('reads back exactly what it writes', () => {
    const settings = resolveFunctionSettings({
      openSearchEndpoint: 'https://search.example.com',
      changeLogIndex: 'changes',
      mirrorIndex: 'orders',
      keySchema: { partitionKey: 'pk', sortKey: 'a,b' },
      tableName: 'Orders',
      failureReporting: 'error',
    });
    expect(fromFunctionEnvironment(toFunctionEnvironment(settings))).toEqual(settings);
  });

  it.each([
    [{ OPENSEARCH_ENDPOINT: undefined }, 'OPENSEARCH_ENDPOINT must be the OpenSearch URL, such as http://localhost:9200'],
    [{ OPENSEARCH_ENDPOINT: 'localhost:9200' }, 'OPENSEARCH_ENDPOINT must use http or https, got "localhost:9200"'],
    [{ OPENSEARCH_ENDPOINT: 'not a url' }, 'OPENSEARCH_ENDPOINT is not a URL; it must look like http://localhost:9200, got "not a url"'],
    [
      { OPENSEARCH_ENDPOINT: 'https://admin:secret@search.example.com' },
      'OPENSEARCH_ENDPOINT must not contain credentials (user:password@); use an authentication setting instead, got "https://***@search.example.com"',
    ],
    [
      { OPENSEARCH_ENDPOINT: 'https://admin:p@ss@search.example.com' },
      'OPENSEARCH_ENDPOINT must not contain credentials (user:password@); use an authentication setting instead, got "https://***@search.example.com"',
    ],
    [
      { OPENSEARCH_ENDPOINT: 'https://admin:se#cret@search.example.com' },
      'OPENSEARCH_ENDPOINT is not a URL; it must look like http://localhost:9200, got "https://***@search.example.com"',
    ],
    [
      { OPENSEARCH_ENDPOINT: 'ftp://admin:s3cret@search.example.com' },
      'OPENSEARCH_ENDPOINT must use http or https, got "ftp://***@search.example.com"',
    ],
    [
      { OPENSEARCH_ENDPOINT: 'http://localhost:9200/prefix?x=1' },
      'OPENSEARCH_ENDPOINT must be the cluster URL without path, query or fragment, got "http://localhost:9200/prefix?x=1"',
    ],
    [{ MIRROR_INDEX: '' }, 'MIRROR_INDEX is not set; it must be the mirror alias, such as test-table'],
    [{ MIRROR_INDEX: 'Test' }, 'MIRROR_INDEX is not a valid OpenSearch index name: it must be lowercase, got "Test"'],
    [
      { MIRROR_INDEX: 'dynamodb-cdc' },
      'CHANGE_LOG_INDEX must differ from the indexes of MIRROR_INDEX (the mirror alias), got "dynamodb-cdc"',
    ],
    [
      { CHANGE_LOG_INDEX: 'test-table-v1' },
      'CHANGE_LOG_INDEX must differ from the indexes of MIRROR_INDEX (its backing index test-table-v1), got "test-table-v1"',
    ],
    [
      { DEAD_LETTER_INDEX: 'test-table-tombstones' },
      'DEAD_LETTER_INDEX must differ from the indexes of MIRROR_INDEX (its tombstones test-table-tombstones), got "test-table-tombstones"',
    ],
    [{ DEAD_LETTER_INDEX: 'dynamodb-cdc' }, 'DEAD_LETTER_INDEX must differ from the indexes of CHANGE_LOG_INDEX, got "dynamodb-cdc"'],
    [
      { DEAD_LETTER_INDEX: 'dynamodb-cdc-2026.11.27' },
      'DEAD_LETTER_INDEX makes an index (dynamodb-cdc-2026.11.27) that matches dynamodb-cdc-*.*.*, the pattern of the change log\'s daily partitions; choose another name, got "dynamodb-cdc-2026.11.27"',
    ],
    [
      { MIRROR_INDEX: 'dynamodb-cdc-a.b.c' },
      'MIRROR_INDEX makes an index (dynamodb-cdc-a.b.c) that matches dynamodb-cdc-*.*.*, the pattern of the change log\'s daily partitions; choose another name, got "dynamodb-cdc-a.b.c"',
    ],
    [{ KEY_SCHEMA: 'a,b,c' }, 'KEY_SCHEMA must be "partitionKey" or "partitionKey,sortKey", got "a,b,c"'],
    [{ KEY_SCHEMA: 'id,id' }, 'KEY_SCHEMA must name two different attributes, got "id,id"'],
    [{ MAX_BULK_BYTES: '-1' }, 'MAX_BULK_BYTES must be an integer from 65536 to 104857600, got "-1"'],
    [{ FAILURE_REPORTING: 'sometimes' }, 'FAILURE_REPORTING must be one of partial, error, got "sometimes"'],
    [{ OPENSEARCH_AUTH: 'iam' }, 'OPENSEARCH_AUTH must be one of none, sigv4, basic, got "iam"'],
    [
      { OPENSEARCH_AUTH: 'sigv4' },
      'OPENSEARCH_REGION is not set; it must be the region of the OpenSearch domain or collection, such as eu-west-1',
    ],
    [
      { OPENSEARCH_AUTH: 'sigv4', OPENSEARCH_REGION: 'x', OPENSEARCH_SIGNING_SERVICE: 'es' },
      'OPENSEARCH_REGION must be an AWS region, such as eu-west-1, got "x"',
    ],
    [
      { OPENSEARCH_AUTH: 'sigv4', OPENSEARCH_REGION: 'eu-west-1', OPENSEARCH_SIGNING_SERVICE: 'opensearch' },
      'OPENSEARCH_SIGNING_SERVICE must be one of es, aoss, got "opensearch"',
    ],
    [
      { OPENSEARCH_AUTH: 'basic' },
      'OPENSEARCH_SECRET_ARN is not set; it must be the ARN of a Secrets Manager secret holding {"username","password"}',
    ],
    [
      { OPENSEARCH_AUTH: 'basic', OPENSEARCH_SECRET_ARN: 'admin:secret' },
      'OPENSEARCH_SECRET_ARN must be the ARN of a Secrets Manager secret',
    ],
    [{ CHANGE_LOG_PARTITIONING: 'hourly' }, 'CHANGE_LOG_PARTITIONING must be one of daily, none, got "hourly"'],
    [{ CHANGE_LOG_RETENTION_DAYS: '-1' }, 'CHANGE_LOG_RETENTION_DAYS must be an integer from 0 to 36500, got "-1"'],
    [{ MIRROR_SHARDS: '0' }, 'MIRROR_SHARDS must be an integer from 1 to 1024, got "0"'],
    [{ TOMBSTONE_RETENTION_HOURS: '24' }, 'TOMBSTONE_RETENTION_HOURS must be an integer from 25 to 876000, got "24"'],
    [{ OPENSEARCH_ALLOW_INSECURE: 'yes' }, 'OPENSEARCH_ALLOW_INSECURE must be true or false, got "yes"'],
    [{ TABLE_NAME: 'a' }, 'TABLE_NAME must be 3-255 characters of a-z A-Z 0-9 _ . -, got "a"'],
    [
      { OPENSEARCH_OPERATOR_ROLE_ARNS: 'arn:aws:iam::123456789012:user/bob' },
      'OPENSEARCH_OPERATOR_ROLE_ARNS must be the ARN of an IAM role (arn:aws:iam::account:role/name, or role/path/name), got "arn:aws:iam::123456789012:user/bob"',
    ],
    [
      { OPENSEARCH_OPERATOR_ROLE_ARNS: 'arn:aws:iam::123456789012:role/ops,arn:aws:iam::123456789012:role/*' },
      'OPENSEARCH_OPERATOR_ROLE_ARNS must be the ARN of an IAM role',
    ],
    [{ OPENSEARCH_OPERATOR_ROLE_ARNS: 'arn:aws:iam::1234:role/ops' }, 'OPENSEARCH_OPERATOR_ROLE_ARNS must be the ARN of an IAM role'],
    [
      { OPENSEARCH_OPERATOR_ROLE_ARNS: 'arn:aws-moon:iam::123456789012:role/ops' },
      'OPENSEARCH_OPERATOR_ROLE_ARNS has partition "aws-moon", which is not an AWS partition',
    ],
  ])('fails fast on %j with a SettingError naming the variable and the value', (override, message) => {
    const env = { ...valid, ...override };
    expect(() => fromFunctionEnvironment(env)).toThrow(SettingError);
    expect(() => fromFunctionEnvironment(env)).toThrow(message);
  });
});

describe('operator roles', () => {
  const OPS = 'arn:aws:iam::123456789012:role/ops';
  const AUDIT = 'arn:aws-cn:iam::123456789012:role/team/on-call/audit,2026';

  it('reads one role ARN or several separated by commas (a name may hold commas), without duplicates, and writes them back', () => {
    expect(fromFunctionEnvironment({ ...valid, OPENSEARCH_OPERATOR_ROLE_ARNS: `${OPS}, ${AUDIT},${OPS}` }).operatorRoleArns).toEqual([
      OPS,
      AUDIT,
    ]);
    const settings = resolveFunctionSettings({
      openSearchEndpoint: 'https://search.example.com',
      mirrorIndex: 'orders',
      keySchema: 'pk',
      operatorRoleArns: [OPS, AUDIT],
    });
    expect(toFunctionEnvironment(settings)).toMatchObject({ OPENSEARCH_OPERATOR_ROLE_ARNS: `${OPS},${AUDIT}` });
    expect(fromFunctionEnvironment(toFunctionEnvironment(settings))).toEqual(settings);
  });

  it('has none, and writes none, when not given', () => {
    expect(fromFunctionEnvironment(valid)).not.toHaveProperty('operatorRoleArns');
    expect(toFunctionEnvironment(fromFunctionEnvironment(valid))).not.toHaveProperty('OPENSEARCH_OPERATOR_ROLE_ARNS');
  });
});

describe('plain http with authentication, refused at run time unless allowed', () => {
  const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:opensearch-AbCdEf';
  const basic = {
    ...valid,
    OPENSEARCH_ENDPOINT: 'http://search.internal:9200',
    OPENSEARCH_AUTH: 'basic',
    OPENSEARCH_SECRET_ARN: SECRET_ARN,
  };
  const sigv4 = { ...valid, OPENSEARCH_ENDPOINT: 'http://search.internal:9200', OPENSEARCH_AUTH: 'sigv4', OPENSEARCH_REGION: 'eu-west-1' };

  it.each([
    [basic, 'basic authentication (the password and the items would travel in clear)'],
    [sigv4, 'sigv4 authentication (the signed requests and the items would travel in clear)'],
  ])('refuses %j, naming the endpoint and the setting that would allow it', (env, what) => {
    expect(() => fromFunctionEnvironment(env)).toThrow(SettingError);
    expect(() => fromFunctionEnvironment(env)).toThrow(
      `OPENSEARCH_ENDPOINT must use https with ${what}, got "http://search.internal:9200". ` +
        'Use an https endpoint, or allow plain http with OPENSEARCH_ALLOW_INSECURE set to true (written by the construct from its prop allowInsecureEndpoint, CDK context allowInsecureOpenSearch)',
    );
  });

  it.each([basic, sigv4])('accepts %j when OPENSEARCH_ALLOW_INSECURE is true', (env) => {
    expect(fromFunctionEnvironment({ ...env, OPENSEARCH_ALLOW_INSECURE: 'true' })).toMatchObject({
      openSearchEndpoint: 'http://search.internal:9200',
      allowInsecureEndpoint: true,
    });
  });

  it('accepts https with authentication, and http without (a local cluster), with no allow setting', () => {
    expect(fromFunctionEnvironment({ ...basic, OPENSEARCH_ENDPOINT: 'https://search.example.com' }).auth.mode).toBe('basic');
    expect(fromFunctionEnvironment({ ...valid, OPENSEARCH_ENDPOINT: 'http://search.internal:9200' }).auth.mode).toBe('none');
  });

  it('writes OPENSEARCH_ALLOW_INSECURE only when it allows something: true, with authentication', () => {
    const settings = (auth: object, allowInsecureEndpoint: boolean) =>
      resolveFunctionSettings({
        openSearchEndpoint: 'http://search.internal:9200',
        mirrorIndex: 'm',
        keySchema: 'pk',
        ...auth,
        allowInsecureEndpoint,
      });
    const basicAuth = { authMode: 'basic', basicAuthSecretArn: SECRET_ARN };
    expect(toFunctionEnvironment(settings(basicAuth, true))).toMatchObject({ OPENSEARCH_ALLOW_INSECURE: 'true' });
    expect(toFunctionEnvironment(settings(basicAuth, false))).not.toHaveProperty('OPENSEARCH_ALLOW_INSECURE');
    expect(toFunctionEnvironment(settings({}, true))).not.toHaveProperty('OPENSEARCH_ALLOW_INSECURE');
  });

  it('reads back what it writes, or refuses it, for any endpoint, authentication and allow setting', () => {
    const auths = [{}, { authMode: 'sigv4', signingRegion: 'eu-west-1' }, { authMode: 'basic', basicAuthSecretArn: SECRET_ARN }];
    fc.assert(
      fc.property(
        fc.constantFrom('http://search.internal:9200', 'https://search.example.com', 'HTTP://127.0.0.1:9200'),
        fc.constantFrom(...auths),
        fc.boolean(),
        (openSearchEndpoint, auth, allowInsecureEndpoint) => {
          const settings = resolveFunctionSettings({
            openSearchEndpoint,
            mirrorIndex: 'm',
            keySchema: 'pk',
            ...auth,
            allowInsecureEndpoint,
          });
          const read = () => fromFunctionEnvironment(toFunctionEnvironment(settings));
          const authenticated = settings.auth.mode !== 'none';
          if (authenticated && settings.openSearchEndpoint.startsWith('http:') && !allowInsecureEndpoint) {
            expect(read).toThrow(/OPENSEARCH_ENDPOINT must use https/);
          } else {
            expect(read()).toEqual({ ...settings, allowInsecureEndpoint: allowInsecureEndpoint && authenticated });
          }
        },
      ),
    );
  });
});

describe('handler start-up', () => {
  it('refuses to process a batch when the endpoint setting is missing, naming it', async () => {
    const saved = { ...process.env };
    process.env.MIRROR_INDEX = 'test-table';
    process.env.KEY_SCHEMA = 'id';
    delete process.env.OPENSEARCH_ENDPOINT;
    try {
      const { handler } = await import('../../../lambda/handler');
      await expect(handler({ Records: [] })).rejects.toThrow(/OPENSEARCH_ENDPOINT must be the OpenSearch URL/);
    } finally {
      process.env = saved;
    }
  });

  it('refuses to process a batch when the endpoint is plain http with basic authentication and nothing allows it', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      OPENSEARCH_ENDPOINT: 'http://search.internal:9200',
      MIRROR_INDEX: 'test-table',
      KEY_SCHEMA: 'id',
      OPENSEARCH_AUTH: 'basic',
      OPENSEARCH_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:opensearch-AbCdEf',
    });
    delete process.env.OPENSEARCH_ALLOW_INSECURE;
    try {
      const { handler } = await import('../../../lambda/handler');
      await expect(handler({ Records: [] })).rejects.toThrow(
        /OPENSEARCH_ENDPOINT must use https with basic authentication.*OPENSEARCH_ALLOW_INSECURE/,
      );
    } finally {
      process.env = saved;
    }
  });
});
