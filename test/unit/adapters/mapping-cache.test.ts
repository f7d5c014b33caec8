import { ABSENT_TTL_MS, MappingCache } from '../../../lambda/adapters/opensearch/mapping-cache';
import type { SearchRequest, SearchTransport } from '../../../lambda/adapters/opensearch/search-transport';

/** As OpenSearch 2.19 answers GET /<index> for a mirror holding `{"name": "x", "m": {"n": 1}, "flag": true}`. */
const MIRROR_INDEX = {
  'test-table-v1': {
    mappings: {
      properties: {
        _cdc: {
          properties: {
            sequence_number: { type: 'keyword' },
            timestamp: { type: 'date' },
            unindexed: { type: 'object', enabled: false },
            unindexed_reason: { type: 'text' },
          },
        },
        name: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } },
        m: { properties: { n: { type: 'double' } } },
        flag: { type: 'boolean' },
      },
    },
    settings: { index: { mapping: { total_fields: { limit: '5000' } } } },
  },
};

function fakeClient(answer: () => unknown = () => ({ body: MIRROR_INDEX })) {
  const requests: SearchRequest[] = [];
  const client = {
    request: async (request: SearchRequest) => {
      requests.push(request);
      return answer();
    },
  } as unknown as SearchTransport;
  return { client, requests };
}

const paths = (...names: string[]) => new Set(names);

describe("the mirror's mapping as the adapter knows it", () => {
  it('reads kinds, the fields OpenSearch counts (objects, leaves, multi-fields) and the limit, in one request', async () => {
    const { client, requests } = fakeClient();
    const fields = await new MappingCache(client).mappedFields('test-table-v1', paths('name'));
    expect(Object.fromEntries(fields.kinds)).toEqual({
      _cdc: 'object',
      '_cdc.sequence_number': 'text',
      '_cdc.timestamp': 'other',
      '_cdc.unindexed': 'other',
      '_cdc.unindexed_reason': 'text',
      name: 'text',
      m: 'object',
      'm.n': 'number',
      flag: 'boolean',
    });
    expect(fields.count).toBe(10);
    expect(fields.limit).toBe(5000);
    expect(requests).toEqual([
      {
        method: 'GET',
        path: '/test-table-v1',
        querystring: { filter_path: ['*.mappings', '*.settings.index.mapping.total_fields.limit'] },
      },
    ]);
  });

  it('reads the engine only when a batch brings a path it does not know (nor looked for lately)', async () => {
    let now = 0;
    const { client } = fakeClient();
    const cache = new MappingCache(client, () => now);
    await cache.mappedFields('test-table-v1', paths('name', 'm', 'm.n'));
    await cache.mappedFields('test-table-v1', paths('name', 'flag'));
    expect(cache.reads).toBe(1);
    await cache.mappedFields('test-table-v1', paths('name', 'brandNew'));
    await cache.mappedFields('test-table-v1', paths('brandNew'));
    expect(cache.reads).toBe(2);
    now += ABSENT_TTL_MS + 1;
    await cache.mappedFields('test-table-v1', paths('brandNew'));
    expect(cache.reads).toBe(3);
  });

  it('reads no more for new paths once the mapping holds its limit (no writer can map them), until the time is up', async () => {
    let now = 0;
    const full = {
      'test-table-v1': { ...MIRROR_INDEX['test-table-v1'], settings: { index: { mapping: { total_fields: { limit: '10' } } } } },
    };
    const { client } = fakeClient(() => ({ body: full }));
    const cache = new MappingCache(client, () => now);
    await cache.mappedFields('test-table-v1', paths('name'));
    await cache.mappedFields('test-table-v1', paths('user1'));
    await cache.mappedFields('test-table-v1', paths('user2', 'user3'));
    expect(cache.reads).toBe(1);
    now += ABSENT_TTL_MS;
    await cache.mappedFields('test-table-v1', paths('user4'));
    expect(cache.reads).toBe(2);
  });

  it('learns what its writes mapped (no read for them), and reads again once told the engine refused what it knew', async () => {
    const { client } = fakeClient();
    const cache = new MappingCache(client);
    await cache.mappedFields('test-table-v1', paths('name'));
    cache.fieldsMapped(
      'test-table-v1',
      new Map([
        ['fresh', 'text'],
        ['name', 'text'],
      ]),
    );
    const fields = await cache.mappedFields('test-table-v1', paths('fresh', 'name'));
    expect(cache.reads).toBe(1);
    expect(fields.kinds.get('fresh')).toBe('text');
    expect(fields.count).toBe(12); // `fresh` and its .keyword; `name` was known
    cache.forget('test-table-v1');
    await cache.mappedFields('test-table-v1', paths('name'));
    expect(cache.reads).toBe(2);
  });

  it('knows nothing mapped of an index that does not exist yet, and reads again next time', async () => {
    const { client } = fakeClient(() =>
      Promise.reject(Object.assign(new Error('index_not_found_exception'), { meta: { statusCode: 404 } })),
    );
    const cache = new MappingCache(client);
    expect((await cache.mappedFields('absent', paths('a'))).kinds.size).toBe(0);
    await cache.mappedFields('absent', paths('a'));
    expect(cache.reads).toBe(2);
  });

  it('says which index it could not read', async () => {
    const { client } = fakeClient(() => Promise.reject(new Error('connect ECONNREFUSED')));
    await expect(new MappingCache(client).mappedFields('test-table-v1', paths('a'))).rejects.toThrow(
      'reading the mapping of test-table-v1 failed: connect ECONNREFUSED',
    );
  });
});
