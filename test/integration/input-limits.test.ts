/**
 * Input at DynamoDB's limits, applied to the real OpenSearch through applyChanges: each record
 * is indexed or dead-lettered with a reason; none fails the batch or blocks the ones after it.
 */
import { createClient, ensureIndexes, OpenSearchPort } from '../../lambda/adapters/opensearch';
import { mirrorBackingIndex } from '../../lambda/core/index-layout';
import { applyChanges } from '../../lambda/sync/apply-changes';
import { endpoints, runPrefix } from '../support/live-system';
import { insertRecord } from '../support/stream-records';

function nested(depth: number): any {
  return depth === 0 ? { S: 'bottom' } : { M: { level: nested(depth - 1) } };
}

it('indexes or dead-letters every record at the limits, and retries none', async () => {
  const prefix = runPrefix('limits');
  const names = { changeLog: `${prefix}-log`, mirror: `${prefix}-mirror`, deadLetter: `${prefix}-dl` };
  const os = createClient({ endpoint: endpoints.openSearch, requestTimeoutMs: 60_000 });
  try {
    await ensureIndexes(os, names);
    const items: Record<string, any>[] = [
      { id: { S: 'large' }, blob: { S: 'é'.repeat(200_000) } }, // ~400 KB of UTF-8, DynamoDB's item limit
      { id: { S: 'deep' }, tree: nested(31) }, // DynamoDB allows 32 levels of nesting
      { id: { S: 'names' }, 'a.b': { S: 'dot' }, 'with space': { S: 'space' }, 'ünï cödé': { S: 'x' } },
      { id: { S: 'empty' }, text: { S: '' }, list: { L: [] }, map: { M: {} } },
      { id: { S: 'edges' }, max: { N: '9.9999999999999999999999999999999999999E+125' }, min: { N: '-9.9999999999999999999999999999999999999E+125' }, tiny: { N: '1E-130' }, negtiny: { N: '-1E-130' } },
      { id: { S: 'reserved' }, _cdc: { S: 'collides with the bookkeeping field' } },
      { id: { S: 'x'.repeat(1000) }, note: { S: 'a key longer than an OpenSearch id' } },
      { id: { S: 'after' }, n: { N: '1' } },
    ];
    const records = items.map((item, i) => insertRecord(item, { sequenceNumber: i + 1 }));
    const settings = { changeLogIndex: names.changeLog, mirrorIndex: mirrorBackingIndex(names.mirror), deadLetterIndex: names.deadLetter, keySchema: { partitionKey: 'id' }, maxBulkBytes: 9 * 1024 * 1024, maxConflictRounds: 3 };
    const result = await applyChanges(records, settings, new OpenSearchPort(os));
    expect(result.failures).toEqual([]);
    expect(result.changeLogWritten).toBe(items.length);
    await os.indices.refresh({ index: `${prefix}-*` });
    const mirrored = (await os.search({ index: mirrorBackingIndex(names.mirror), body: { size: 100, _source: false } as never })).body.hits.hits.map((hit: any) => hit._id);
    const letters = result.deadLettered.map((letter) => ({ id: String(items[letter.position].id.S).slice(0, 20), reason: letter.reason }));
    // Every record is accounted for: mirrored, or dead-lettered with its reason.
    expect(mirrored.length + letters.length).toBe(items.length);
    expect(letters).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: 'reserved', reason: expect.stringContaining('reserved') })]),
    );
    for (const id of ['large', 'deep', 'names', 'empty', 'edges', 'after']) expect(mirrored).toContain(id);
    expect(mirrored).toContainEqual(expect.stringMatching(/^sha256:/));
    const edges = await (await fetch(`${endpoints.openSearch}/${mirrorBackingIndex(names.mirror)}/_doc/edges`)).text();
    expect(edges).toContain('"max":9.9999999999999999999999999999999999999E+125');
    expect(edges).toContain('"tiny":1E-130');
    process.stdout.write(`[limits] dead-lettered: ${JSON.stringify(letters)}\n`);
  } finally {
    await os.indices.delete({ index: `${prefix}-*` });
    await os.close();
  }
});
