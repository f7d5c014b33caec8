/**
 * Input at DynamoDB's limits, applied to the real OpenSearch through applyChanges: every valid
 * item reaches both indexes, exactly (indexed, or kept unindexed with the reason); none is
 * refused, none fails the batch.
 */
import { connect, ensureIndexes, OpenSearchPort } from '../../lambda/adapters/opensearch';
import { applyChanges } from '../../lambda/pipeline/apply-changes';
import { mirrorBackingIndex } from '../../lambda/settings/index-names';
import { endpoints, runPrefix, search } from '../support/live-system';
import { insertRecord } from '../support/stream-records';

function nested(depth: number): any {
  return depth === 0 ? { S: 'bottom' } : { M: { level: nested(depth - 1) } };
}

it('writes every item at the limits to both indexes, and retries or refuses none', async () => {
  const prefix = runPrefix('limits');
  const names = { changeLog: `${prefix}-log`, mirror: `${prefix}-mirror`, deadLetter: `${prefix}-dl` };
  const transport = await connect({ endpoint: endpoints.openSearch, requestTimeoutMs: 60_000 });
  const os = search();
  try {
    await ensureIndexes(transport, { indexes: names });
    const items: Record<string, any>[] = [
      { id: { S: 'large' }, blob: { S: 'é'.repeat(200_000) } }, // ~400 KB of UTF-8, DynamoDB's item limit
      { id: { S: 'deep' }, tree: nested(31) }, // DynamoDB allows 32 levels of nesting
      { id: { S: 'names' }, 'a.b': { S: 'dot' }, 'with space': { S: 'space' }, 'ünï cödé': { S: 'x' } },
      { id: { S: 'empty' }, text: { S: '' }, list: { L: [] }, map: { M: {} } },
      {
        id: { S: 'edges' },
        max: { N: '9.9999999999999999999999999999999999999E+125' },
        min: { N: '-9.9999999999999999999999999999999999999E+125' },
        tiny: { N: '1E-130' },
        negtiny: { N: '-1E-130' },
      },
      { id: { S: 'reserved' }, _cdc: { S: 'collides with the bookkeeping field' } },
      { id: { S: 'x'.repeat(1000) }, note: { S: 'a key longer than an OpenSearch id' } },
      { id: { S: 'after' }, n: { N: '1' } },
    ];
    const records = items.map((item, i) => insertRecord(item, { sequenceNumber: i + 1 }));
    const result = await applyChanges(
      records,
      { indexes: names, keySchema: { partitionKey: 'id' }, changeLogPartitioning: 'none' },
      new OpenSearchPort(transport, 9 * 1024 * 1024),
    );
    expect(result.failures).toEqual([]);
    expect(result.deadLettered).toEqual([]);
    expect(result.changeLogWritten).toBe(items.length);
    await os.indices.refresh({ index: `${prefix}-*` });
    const mirrored = (
      await os.search({ index: mirrorBackingIndex(names.mirror), body: { size: 100, _source: false } as never })
    ).body.hits.hits.map((hit: any) => hit._id);
    expect(mirrored).toHaveLength(items.length);
    for (const id of ['large', 'deep', 'names', 'empty', 'edges', 'reserved', 'after']) expect(mirrored).toContain(id);
    expect(mirrored).toContainEqual(expect.stringMatching(/^\\sha256:/));
    const reserved = (await (await fetch(`${endpoints.openSearch}/${mirrorBackingIndex(names.mirror)}/_doc/reserved`)).json()) as {
      _source: Record<string, any>;
    };
    expect(reserved._source._cdc).toMatchObject({
      unindexed: { _cdc: 'collides with the bookkeeping field' },
      unindexed_reason: expect.stringContaining('reserved'),
    });
    const edges = await (await fetch(`${endpoints.openSearch}/${mirrorBackingIndex(names.mirror)}/_doc/edges`)).text();
    expect(edges).toContain('"max":9.9999999999999999999999999999999999999E+125');
    expect(edges).toContain('"tiny":1E-130');
  } finally {
    await os.indices.delete({ index: `${prefix}-*` });
    await os.close();
    await transport.close();
  }
});
