import { classifyItem } from '../../../lambda/adapters/opensearch/bulk-outcome';
import { actionLines, splitIntoRequests } from '../../../lambda/adapters/opensearch/bulk-request';
import { OpenSearchPort } from '../../../lambda/adapters/opensearch/opensearch-port';
import type { SearchRequest, SearchTransport } from '../../../lambda/adapters/opensearch/search-transport';
import type { Revision, WriteAction } from '../../../lambda/core/writes';

const put = (id: string, condition: WriteAction['condition'] = { kind: 'absent' }, document = '{"a":1}'): WriteAction => ({
  operation: 'put',
  role: 'mirror',
  index: 'm',
  id,
  condition,
  document,
  records: [0],
});
const del = (id: string, condition: WriteAction['condition']): WriteAction => ({
  operation: 'delete',
  role: 'mirror',
  index: 'm',
  id,
  condition,
  records: [0],
});
const revision = '7:1' as Revision;
/** As OpenSearch 2.19 answers a bulk item whose index it cannot create (cluster.max_shards_per_node reached). */
const SHARD_LIMIT_ERROR = {
  type: 'validation_exception',
  reason: 'Validation Failed: 1: this action would add [2] total shards, but this cluster currently has [2]/[1] maximum shards open;',
};

describe('a bulk item outcome', () => {
  it.each([
    ['201 on a put', 'written', put('a'), 201, undefined],
    ['200 on a delete', 'written', del('a', { kind: 'any' }), 200, undefined],
    ['404 on an unconditional delete (already gone)', 'written', del('a', { kind: 'any' }), 404, undefined],
    ['404 on a conditional delete (somebody deleted it)', 'changed', del('a', { kind: 'unchanged', revision }), 404, undefined],
    ['409 on a create (duplicate delivery)', 'exists', put('a'), 409, { type: 'version_conflict_engine_exception' }],
    [
      '409 on a conditional write (lost race)',
      'changed',
      put('a', { kind: 'unchanged', revision }),
      409,
      { type: 'version_conflict_engine_exception' },
    ],
    ['429', 'retry', put('a'), 429, { type: 'es_rejected_execution_exception' }],
    ['503', 'retry', put('a'), 503, { type: 'unavailable_shards_exception' }],
    ['403 cluster block', 'retry', put('a'), 403, { type: 'cluster_block_exception' }],
    ['400 index closed', 'retry', put('a'), 400, { type: 'index_closed_exception' }],
    ['400 cluster block', 'retry', put('a'), 400, { type: 'cluster_block_exception' }],
    ['404 index missing', 'retry', put('a'), 404, { type: 'index_not_found_exception' }],
    [
      '400 alias without write index',
      'retry',
      put('a'),
      400,
      { type: 'illegal_argument_exception', reason: 'no write index is defined for alias [m]' },
    ],
    ['400 mapping conflict', 'unindexable', put('a'), 400, { type: 'mapper_parsing_exception', reason: 'failed to parse' }],
    [
      '400 field limit',
      'unindexable',
      put('a'),
      400,
      { type: 'illegal_argument_exception', reason: 'Limit of total fields [5000] has been exceeded' },
    ],
    ['400 document parsing', 'unindexable', put('a'), 400, { type: 'document_parsing_exception' }],
    [
      '400 nested objects limit',
      'unindexable',
      put('a'),
      400,
      {
        type: 'illegal_argument_exception',
        reason:
          'The number of nested documents has exceeded the allowed limit of [10000]. This limit can be set by changing the [index.mapping.nested_objects.limit] index level setting.',
      },
    ],
    ['400 of an unknown type', 'unindexable', put('a'), 400, { type: 'something_new' }],
    // The cluster refusing to create the index (a day's partition, created by its first write): any document would fail alike.
    ['400 index creation past the shard limit', 'retry', put('a'), 400, SHARD_LIMIT_ERROR],
    [
      '400 index settings the cluster refuses',
      'retry',
      put('a'),
      400,
      { type: 'validation_exception', reason: 'Validation Failed: 1: custom path [/x] is not a sub-path of path.shared_data;' },
    ],
    [
      '400 invalid index name',
      'retry',
      put('a'),
      400,
      { type: 'invalid_index_name_exception', reason: 'Invalid index name [Bad], must be lowercase' },
    ],
    [
      '400 index name taken by an alias',
      'retry',
      put('a'),
      400,
      { type: 'invalid_index_name_exception', reason: 'Invalid index name [c-2026.01.01], already exists as alias' },
    ],
    [
      "400 a template's setting this cluster does not know",
      'retry',
      put('a'),
      400,
      {
        type: 'illegal_argument_exception',
        reason: 'unknown setting [index.mapping.foo] please check that any required plugins are installed',
      },
    ],
    ['400 index template refused', 'retry', put('a'), 400, { type: 'invalid_index_template_exception' }],
    [
      '400 index creation failed on a node',
      'retry',
      put('a'),
      400,
      { type: 'index_creation_exception', reason: 'failed to create index [c-2026.01.01]' },
    ],
    ['400 index created meanwhile', 'retry', put('a'), 400, { type: 'resource_already_exists_exception' }],
    ['413 for one document', 'refused', put('a'), 413, undefined],
    ['500 without error', 'retry', put('a'), 500, undefined],
  ])('%s is %s', (_case, kind, action, status, error) => {
    expect(classifyItem(action, status, error).kind).toBe(kind);
  });

  it('reads the stored version from the reason of a conflict on an externally versioned write (a delete the engine remembers too)', () => {
    const conflict = (current: string) => ({
      type: 'version_conflict_engine_exception',
      reason: `[a]: version conflict, current version [${current}] is higher or equal to the one provided [1704110400000000]`,
    });
    const versioned = { kind: 'version', version: 1704110400000000 } as const;
    expect(classifyItem(put('a', versioned), 409, conflict('1704110400000001'))).toEqual({ kind: 'stale', current: 1704110400000001 });
    expect(classifyItem(del('a', versioned), 409, conflict('1704110400000001'))).toEqual({ kind: 'stale', current: 1704110400000001 });
    expect(classifyItem(put('a', versioned), 409, { type: 'version_conflict_engine_exception', reason: 'conflict' })).toEqual({
      kind: 'stale',
      current: undefined,
    });
    expect(classifyItem(put('a', versioned), 409, conflict('99999999999999999999'))).toEqual({ kind: 'stale', current: undefined });
  });

  it('counts an externally versioned delete of a missing document as done (the engine remembers its version)', () => {
    expect(classifyItem(del('a', { kind: 'version', version: 5 }), 404, undefined)).toEqual({ kind: 'written' });
  });

  it('says what to do when the cluster is at its shard limit', () => {
    const outcome = classifyItem(put('a'), 400, SHARD_LIMIT_ERROR);
    expect(outcome).toEqual({ kind: 'retry', reason: expect.stringContaining('maximum shards open') });
    expect((outcome as { reason: string }).reason).toMatch(/raise cluster\.max_shards_per_node.*changeLogRetentionDays.*mirrorShards/);
  });
});

describe('bulk requests', () => {
  it("says each condition in the engine's terms", () => {
    expect(actionLines(put('a'))).toBe('{"create":{"_index":"m","_id":"a"}}\n{"a":1}\n');
    expect(actionLines(put('a', { kind: 'unchanged', revision }))).toBe(
      '{"index":{"_index":"m","_id":"a","if_seq_no":7,"if_primary_term":1}}\n{"a":1}\n',
    );
    expect(actionLines(put('a', { kind: 'any' }))).toBe('{"index":{"_index":"m","_id":"a"}}\n{"a":1}\n');
    expect(actionLines(del('a', { kind: 'unchanged', revision }))).toBe(
      '{"delete":{"_index":"m","_id":"a","if_seq_no":7,"if_primary_term":1}}\n',
    );
    expect(actionLines(put('a', { kind: 'version', version: 1704110400000000 }))).toBe(
      '{"index":{"_index":"m","_id":"a","version":1704110400000000,"version_type":"external"}}\n{"a":1}\n',
    );
    expect(actionLines(del('a', { kind: 'version', version: 3 }))).toBe(
      '{"delete":{"_index":"m","_id":"a","version":3,"version_type":"external"}}\n',
    );
  });

  it('splits writes into requests no larger than the limit, one write never split', () => {
    const actions = ['a', 'b', 'c', 'd'].map((id) => put(id, { kind: 'absent' }, `{"v":"${'x'.repeat(100)}"}`));
    const chunks = splitIntoRequests(actions, 300);
    expect(chunks.map((chunk) => chunk.positions)).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(splitIntoRequests(actions, 10).map((chunk) => chunk.positions)).toEqual([[0], [1], [2], [3]]);
  });
});

/** A client whose `bulk` answers what `answer` says for each request body. */
function stubClient(answer: (body: string) => unknown): { client: SearchTransport; bodies: string[] } {
  const bodies: string[] = [];
  const client = {
    request: async ({ path, bulkBody }: SearchRequest) => {
      if (path !== '/_bulk' || typeof bulkBody !== 'string') throw new Error(`unexpected request to ${path}`);
      bodies.push(bulkBody);
      return { body: answer(bulkBody) };
    },
  } as unknown as SearchTransport;
  return { client, bodies };
}

const createdItems = (body: string) => ({
  items: body
    .trim()
    .split('\n')
    .filter((_, i) => i % 2 === 0)
    .map((line) => {
      const meta = JSON.parse(line).create;
      return { create: { _index: meta._index, _id: meta._id, status: 201, _seq_no: 1, _primary_term: 1 } };
    }),
});

describe('the OpenSearch port', () => {
  it('returns one outcome per write, with the new revision', async () => {
    const { client } = stubClient(createdItems);
    expect(await new OpenSearchPort(client, 1 << 20).write([put('a'), put('b')])).toEqual([
      { kind: 'written', revision: '1:1' },
      { kind: 'written', revision: '1:1' },
    ]);
  });

  it('splits a request the cluster calls too large, and refuses only a single write that is still too large', async () => {
    const big = put('big', { kind: 'absent' }, `{"v":"${'x'.repeat(5000)}"}`);
    const { client, bodies } = stubClient((body) => {
      if (body.length > 4000) throw Object.assign(new Error('Request Entity Too Large'), { meta: { statusCode: 413 } });
      return createdItems(body);
    });
    const outcomes = await new OpenSearchPort(client, 1 << 20).write([put('a'), big, put('b')]);
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['written', 'refused', 'written']);
    expect(bodies.length).toBeGreaterThan(2);
  });

  it('makes every write of a request retry when the request fails', async () => {
    const { client } = stubClient(() => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:9200');
    });
    const outcomes = await new OpenSearchPort(client, 1 << 20).write([put('a'), put('b')]);
    expect(outcomes).toEqual([
      { kind: 'retry', reason: expect.stringMatching(/ECONNREFUSED/) },
      { kind: 'retry', reason: expect.stringMatching(/ECONNREFUSED/) },
    ]);
  });

  it.each([
    ['one item too few', (body: string) => ({ items: createdItems(body).items.slice(1) }), /1 items for 2 writes/],
    ['no items at all', () => ({}), /no items for 2 writes/],
    [
      'another operation',
      (body: string) => ({ items: createdItems(body).items.map((item) => ({ index: item.create })) }),
      /not a "create" result/,
    ],
    [
      'another document',
      (body: string) => ({ items: createdItems(body).items.map((item) => ({ create: { ...item.create, _id: 'x' } })) }),
      /is for m\/x, expected m\/a/,
    ],
  ])('does not believe a response with %s: every write retries', async (_case, answer, reason) => {
    const { client } = stubClient(answer);
    const outcomes = await new OpenSearchPort(client, 1 << 20).write([put('a'), put('b')]);
    expect(outcomes.every((outcome) => outcome.kind === 'retry' && reason.test(outcome.reason))).toBe(true);
  });

  it.each([
    ['text of digits', '000000000000000000005', '000000000000000000005'],
    ['a number', 5, undefined],
    ['null', null, undefined],
    ['text that is not a number', 'five', undefined],
  ])('reads a stored sequence number that is %s as %j, so one odd document never stalls its item', async (_case, stored, read) => {
    const client = {
      request: async () => ({
        body: { docs: [{ found: true, _seq_no: 3, _primary_term: 1, _source: { _cdc: { sequence_number: stored } } }] },
      }),
    } as never;
    const states = await new OpenSearchPort(client, 1 << 20).readStates([{ index: 'm', id: 'a' }]);
    expect([...states.values()]).toEqual([{ revision: expect.any(String), sequenceNumber: read }]);
  });
});
