import { ConfigurationError, loadConfig } from '../../lambda/config';

const valid = { OPENSEARCH_ENDPOINT: 'http://localhost:9200/', MIRROR_INDEX: 'test-table', KEY_SCHEMA: 'id' };

describe('handler configuration', () => {
  it('reads the settings with their defaults', () => {
    expect(loadConfig(valid)).toEqual({
      openSearchEndpoint: 'http://localhost:9200',
      indexes: { changeLog: 'dynamodb-cdc', mirror: 'test-table', deadLetter: 'dynamodb-cdc-deadletter' },
      keySchema: { partitionKey: 'id' },
      maxBulkBytes: 9 * 1024 * 1024,
      requestTimeoutMs: 30_000,
      failureReporting: 'partial',
    });
  });

  it.each([
    [{ OPENSEARCH_ENDPOINT: undefined }, /^OPENSEARCH_ENDPOINT: not set/],
    [{ OPENSEARCH_ENDPOINT: 'localhost:9200' }, /^OPENSEARCH_ENDPOINT: "localhost:9200" must use http or https/],
    [{ OPENSEARCH_ENDPOINT: 'not a url' }, /^OPENSEARCH_ENDPOINT: "not a url" is not a URL/],
    [{ MIRROR_INDEX: '' }, /^MIRROR_INDEX: not set/],
    [{ MIRROR_INDEX: 'Test' }, /^MIRROR_INDEX "Test" is not a valid OpenSearch index name: it must be lowercase/],
    [{ KEY_SCHEMA: 'a,b,c' }, /^KEY_SCHEMA: key schema must be/],
    [{ MAX_BULK_BYTES: '-1' }, /^MAX_BULK_BYTES: "-1" must be a positive integer/],
    [{ FAILURE_REPORTING: 'sometimes' }, /^FAILURE_REPORTING: "sometimes" must be one of partial, error/],
  ])('fails fast on %j, naming the setting', (override, message) => {
    const env = { ...valid, ...override };
    expect(() => loadConfig(env)).toThrow(ConfigurationError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('handler start-up', () => {
  it('refuses to process a batch when the endpoint setting is missing, naming it', async () => {
    const saved = { ...process.env };
    process.env.MIRROR_INDEX = 'test-table';
    process.env.KEY_SCHEMA = 'id';
    delete process.env.OPENSEARCH_ENDPOINT;
    try {
      const { handler } = await import('../../lambda/handler');
      await expect(handler({ Records: [] })).rejects.toThrow(/OPENSEARCH_ENDPOINT: not set/);
    } finally {
      process.env = saved;
    }
  });
});
