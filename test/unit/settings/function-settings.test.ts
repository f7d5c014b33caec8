import { fromFunctionEnvironment, resolveFunctionSettings, toFunctionEnvironment } from '../../../lambda/settings/function-settings';
import { SettingError } from '../../../lambda/settings/setting-error';

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
    [{ OPENSEARCH_ENDPOINT: 'https://admin:secret@search.example.com' }, 'OPENSEARCH_ENDPOINT must not contain credentials (user:password@); use an authentication setting instead, got "https://***@search.example.com"'],
    [{ OPENSEARCH_ENDPOINT: 'http://localhost:9200/prefix?x=1' }, 'OPENSEARCH_ENDPOINT must be the cluster URL without path, query or fragment, got "http://localhost:9200/prefix?x=1"'],
    [{ MIRROR_INDEX: '' }, 'MIRROR_INDEX is not set; it must be the mirror alias, such as test-table'],
    [{ MIRROR_INDEX: 'Test' }, 'MIRROR_INDEX is not a valid OpenSearch index name: it must be lowercase, got "Test"'],
    [{ MIRROR_INDEX: 'dynamodb-cdc' }, 'CHANGE_LOG_INDEX must differ from the indexes of MIRROR_INDEX (the mirror alias), got "dynamodb-cdc"'],
    [{ CHANGE_LOG_INDEX: 'test-table-v1' }, 'CHANGE_LOG_INDEX must differ from the indexes of MIRROR_INDEX (its backing index test-table-v1), got "test-table-v1"'],
    [{ DEAD_LETTER_INDEX: 'test-table-tombstones' }, 'DEAD_LETTER_INDEX must differ from the indexes of MIRROR_INDEX (its tombstones test-table-tombstones), got "test-table-tombstones"'],
    [{ DEAD_LETTER_INDEX: 'dynamodb-cdc' }, 'DEAD_LETTER_INDEX must differ from the indexes of CHANGE_LOG_INDEX, got "dynamodb-cdc"'],
    [{ KEY_SCHEMA: 'a,b,c' }, 'KEY_SCHEMA must be "partitionKey" or "partitionKey,sortKey", got "a,b,c"'],
    [{ KEY_SCHEMA: 'id,id' }, 'KEY_SCHEMA must name two different attributes, got "id,id"'],
    [{ MAX_BULK_BYTES: '-1' }, 'MAX_BULK_BYTES must be an integer from 65536 to 104857600, got "-1"'],
    [{ FAILURE_REPORTING: 'sometimes' }, 'FAILURE_REPORTING must be one of partial, error, got "sometimes"'],
  ])('fails fast on %j with a SettingError naming the variable and the value', (override, message) => {
    const env = { ...valid, ...override };
    expect(() => fromFunctionEnvironment(env)).toThrow(SettingError);
    expect(() => fromFunctionEnvironment(env)).toThrow(message);
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
});
