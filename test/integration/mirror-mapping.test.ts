/**
 * The mirror's mapping on the real OpenSearch: a value that arrives where another kind is mapped,
 * and new names past the field limit, are kept exactly under `_cdc.unindexed` with the reason,
 * while the item's other attributes stay searchable; and the pipeline reads the mapping only when
 * a batch brings a path it does not know. Each test has indexes of its own (a run prefix).
 */
import { parse } from 'lossless-json';
import { connect, ensureIndexes, OpenSearchPort, overTransport } from '../../lambda/adapters/opensearch';
import { itemOfMirrorDocument } from '../../lambda/core/mirror-document';
import { applyChanges, type PipelineSettings } from '../../lambda/pipeline/apply-changes';
import { mirrorBackingIndex } from '../../lambda/settings/index-names';
import { namesFor } from '../support/isolated-function';
import { endpoints, runPrefix, search } from '../support/live-system';
import { canonical, expectedItem } from '../support/plain-json';
import { startTamperingProxy } from '../support/signature-checking-server';
import { insertRecord } from '../support/stream-records';

const os = search();
/** The adapters' way to the same cluster. */
const transport = overTransport(os.transport);
const port = new OpenSearchPort(transport, 9 * 1024 * 1024);

afterAll(async () => {
  await os.close();
});

async function pipelineOn(prefix: string): Promise<PipelineSettings> {
  const names = namesFor(prefix);
  const layout = await ensureIndexes(transport, { indexes: names, changeLogPartitioning: 'daily' });
  return { indexes: names, keySchema: { partitionKey: 'id' }, changeLogPartitioning: layout.partitioning };
}

async function deleteAll(prefix: string): Promise<void> {
  await os.indices.delete({ index: `${prefix}-*`, ignore_unavailable: true, expand_wildcards: 'all' } as never).catch(() => undefined);
}

/** A mirror document, read as JSON text with every digit (lossless-json). */
async function mirrorDocument(settings: PipelineSettings, id: string): Promise<Record<string, any>> {
  const response = await fetch(`${endpoints.openSearch}/${settings.indexes.mirror}/_doc/${encodeURIComponent(id)}`);
  return (parse(await response.text()) as { _source: Record<string, any> })._source;
}

/** Ids of the mirror's items a query finds. */
async function found(settings: PipelineSettings, query: object): Promise<string[]> {
  await os.indices.refresh({ index: settings.indexes.mirror });
  const response = await os.search({ index: settings.indexes.mirror, body: { query, _source: false } as never });
  return (response.body.hits.hits as { _id: string }[]).map((hit) => hit._id).sort();
}

/** Fields of the mirror's mapping as OpenSearch counts them against its limit: every property, every multi-field. */
async function mappedFieldCount(settings: PipelineSettings): Promise<number> {
  const backing = mirrorBackingIndex(settings.indexes.mirror);
  const body = (await os.indices.getMapping({ index: backing })).body as Record<string, { mappings: { properties: object } }>;
  const count = (properties: Record<string, { properties?: object; fields?: object }>): number =>
    Object.values(properties).reduce(
      (sum, field) => sum + 1 + Object.keys(field.fields ?? {}).length + (field.properties ? count(field.properties as never) : 0),
      0,
    );
  return count(body[backing].mappings.properties as never);
}

describe('an attribute whose type changes between items', () => {
  const prefix = runPrefix('kinds');
  afterAll(() => deleteAll(prefix));

  it('keeps a map that arrives where text is mapped under _cdc.unindexed with the reason, and the rest searchable', async () => {
    const settings = await pipelineOn(`${prefix}-map`);
    await applyChanges([insertRecord({ id: { S: 'first' }, a: { S: 'text first' } }, { sequenceNumber: 1 })], settings, port);
    const second = { id: { S: 'second' }, a: { M: { inner: { S: 'now a map' } } }, c: { S: 'findme' } };
    const result = await applyChanges([insertRecord(second, { sequenceNumber: 2 })], settings, port);
    const source = await mirrorDocument(settings, 'second');
    expect(canonical(source._cdc.unindexed)).toEqual(canonical({ a: { inner: 'now a map' } }));
    expect(source._cdc.unindexed_reason).toBe('"a": "a" is mapped as text: a map there would be skipped by the index without a trace');
    expect(canonical(itemOfMirrorDocument(source))).toEqual(expectedItem(second));
    expect(await found(settings, { term: { 'c.keyword': 'findme' } })).toEqual(['second']);
    expect(await found(settings, { match: { '_cdc.unindexed_reason': 'skipped' } })).toEqual(['second']);
    expect(result).toMatchObject({ failures: [], deadLettered: [], mirrorWritten: 1, unindexed: 1 });
  });

  it('keeps only text that arrives where a map is mapped under _cdc.unindexed, not the whole item', async () => {
    const settings = await pipelineOn(`${prefix}-text`);
    const first = { id: { S: 'first' }, b: { M: { inner: { S: 'a map first' } } } };
    await applyChanges([insertRecord(first, { sequenceNumber: 1 })], settings, port);
    const second = { id: { S: 'second' }, b: { S: 'now text' }, c: { S: 'findme' } };
    const result = await applyChanges([insertRecord(second, { sequenceNumber: 2 })], settings, port);
    const source = await mirrorDocument(settings, 'second');
    expect(source._cdc.unindexed).toEqual({ b: 'now text' });
    expect(source._cdc.unindexed_reason).toBe('"b": "b" is mapped as an object: text there would refuse the item');
    expect(canonical(itemOfMirrorDocument(source))).toEqual(expectedItem(second));
    expect(await found(settings, { term: { 'c.keyword': 'findme' } })).toEqual(['second']);
    // Placed on the mapping known, not refused first.
    expect(result).toMatchObject({ failures: [], deadLettered: [], mirrorWritten: 1, unindexed: 1, conflictRounds: 0 });
  });
});

describe('a mirror at its field limit', () => {
  const prefix = runPrefix('fieldlimit');
  afterAll(() => deleteAll(prefix));

  it('keeps indexing the known attributes of an item with a new name, and keeps the new name under _cdc.unindexed', async () => {
    const settings = await pipelineOn(prefix);
    const limit = 50;
    await os.indices.putSettings({
      index: mirrorBackingIndex(settings.indexes.mirror),
      body: { 'index.mapping.total_fields.limit': limit },
    } as never);
    // Filled to the limit exactly: `id` (text and .keyword) and one number per name.
    const free = limit - (await mappedFieldCount(settings)) - 2;
    const names = Array.from({ length: free }, (_, n) => `f${n}`);
    const fill = { id: { S: 'fill' }, ...Object.fromEntries(names.map((name, n) => [name, { N: String(n) }])) };
    expect(await applyChanges([insertRecord(fill, { sequenceNumber: 1 })], settings, port)).toMatchObject({ failures: [], unindexed: 0 });
    expect(await mappedFieldCount(settings)).toBe(limit);

    const late = { id: { S: 'late' }, f0: { N: '1000' }, f1: { N: '1001' }, brandNew: { S: 'no room' } };
    const result = await applyChanges([insertRecord(late, { sequenceNumber: 2 })], settings, port);
    expect(result).toMatchObject({ failures: [], deadLettered: [], mirrorWritten: 1, unindexed: 1 });

    expect(await found(settings, { term: { f0: 1000 } })).toEqual(['late']);
    expect(await found(settings, { term: { 'id.keyword': 'late' } })).toEqual(['late']);
    const source = await mirrorDocument(settings, 'late');
    expect(source._cdc.unindexed).toEqual({ brandNew: 'no room' });
    expect(source._cdc.unindexed_reason).toMatch(
      /"brandNew": the mirror's mapping holds 50 of its 50 fields \(index.mapping.total_fields.limit\)/,
    );
    expect(canonical(itemOfMirrorDocument(source))).toEqual(expectedItem(late));
    expect(await mappedFieldCount(settings)).toBe(limit);
  });
});

describe("reading the mirror's mapping", () => {
  const prefix = runPrefix('mappingreads');
  afterAll(() => deleteAll(prefix));

  it('happens when a batch brings a name the port does not know, not for every batch', async () => {
    const settings = await pipelineOn(prefix);
    const proxy = await startTamperingProxy(endpoints.openSearch, () => undefined);
    const client = await connect({ endpoint: proxy.url.replace(/\/$/, ''), requestTimeoutMs: 30_000 });
    const backing = mirrorBackingIndex(settings.indexes.mirror);
    const mappingReads = () =>
      proxy.received.filter((request) => request.method === 'GET' && new URL(request.path, 'http://proxy').pathname === `/${backing}`)
        .length;
    try {
      const viaProxy = new OpenSearchPort(client, 1 << 20);
      const batch = (n: number, extra: Record<string, unknown> = {}) =>
        applyChanges(
          [insertRecord({ id: { S: `item-${n}` }, name: { S: `name ${n}` }, ...extra } as never, { sequenceNumber: n })],
          settings,
          viaProxy,
        );
      await batch(1);
      expect(mappingReads()).toBe(1);
      await batch(2);
      await batch(3);
      expect(mappingReads()).toBe(1);
      await batch(4, { added: { N: '4' } });
      expect(mappingReads()).toBe(2);
      await batch(5, { added: { N: '5' } });
      expect(mappingReads()).toBe(2);
    } finally {
      await client.close();
      await proxy.close();
    }
  });
});
