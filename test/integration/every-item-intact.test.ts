/**
 * Items of the shapes real tables hold go through the real table, stream, function and
 * OpenSearch, and every one reaches both indexes exactly (indexed, or kept unindexed with the
 * reason); a deleted item is gone from every read path of the mirror; an index that is closed
 * for a while loses nothing.
 */
import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { parse } from 'lossless-json';
import { connect, detectChangeLogLayout, ensureIndexes, OpenSearchPort } from '../../lambda/adapters/opensearch';
import { documentId } from '../../lambda/core/document-id';
import { itemOfMirrorDocument } from '../../lambda/core/mirror-document';
import { applyChanges } from '../../lambda/pipeline/apply-changes';
import { mirrorBackingIndex, tombstoneIndex } from '../../lambda/settings/index-names';
import { sdkClientConfig } from '../../local/endpoints';
import { CHANGE_LOG, changeLogFor, dynamo, endpoints, MIRROR, runPrefix, search, TABLE, waitFor } from '../support/live-system';
import { functionFor, namesFor } from '../support/isolated-function';
import { canonical, expectedItem } from '../support/plain-json';
import { insertRecord, removeRecord, toSdkAttribute } from '../support/stream-records';

const client = dynamo();
const opensearch = search();

afterAll(async () => {
  client.destroy();
  await opensearch.close();
});

/**
 * The item as the table holds it, in DynamoDB JSON, read over the wire with JSON.parse: the AWS
 * SDK for JavaScript loses the value of an attribute named `__proto__` when it reads an item.
 */
async function storedItem(id: string): Promise<Record<string, any>> {
  const response = await fetch(endpoints.aws, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDB_20120810.GetItem',
      authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/${endpoints.region}/dynamodb/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify({ TableName: TABLE, Key: { id: { S: id } }, ConsistentRead: true }),
  });
  return ((await response.json()) as { Item: Record<string, any> }).Item;
}

/** The mirror document of an item, by id, through the alias users read (GET, real time). */
async function mirrorDocument(id: string): Promise<{ found: boolean; source?: Record<string, unknown>; text: string }> {
  const response = await fetch(`${endpoints.openSearch}/${MIRROR}/_doc/${encodeURIComponent(id)}`);
  const text = await response.text();
  const body = parse(text) as { found: boolean; _source?: Record<string, unknown> };
  return { found: body.found, source: body._source, text };
}

/**
 * The fields the mapping of each index behind `index` (an index, or an alias over several) holds,
 * as paths, counted as OpenSearch counts them against `index.mapping.total_fields.limit`: objects,
 * leaves and multi-fields.
 */
async function mappedFields(index: string): Promise<Record<string, string[]>> {
  const paths = (properties: Record<string, any> | undefined, prefix: string): string[] =>
    Object.entries(properties ?? {}).flatMap(([name, field]) => [
      `${prefix}${name}`,
      ...paths(field.properties, `${prefix}${name}.`),
      ...Object.keys(field.fields ?? {}).map((sub) => `${prefix}${name}.${sub}`),
    ]);
  const response = await opensearch.indices.getMapping({ index });
  const mappings = Object.entries(response.body as Record<string, { mappings: { properties?: Record<string, any> } }>);
  expect(mappings.length).toBeGreaterThan(0);
  return Object.fromEntries(mappings.map(([name, entry]) => [name, paths(entry.mappings.properties, '')]));
}

async function waitForMirror(id: string): Promise<Record<string, unknown>> {
  return waitFor(`${id.slice(0, 40)} in the mirror`, async () => (await mirrorDocument(id)).source);
}

const SHAPES: Record<string, Record<string, any>> = {
  mixedList: { m: { L: [{ S: 'a' }, { N: '1.50' }, { NULL: true }, { BOOL: true }, { M: { inner: { S: 'x' } } }] } },
  nestedMixed: { m: { M: { inner: { L: [{ N: '1' }, { S: 'one' }] } } } },
  proto: JSON.parse('{"__proto__":{"S":"kept"},"constructor":{"N":"1"},"m":{"M":{"__proto__":{"S":"deep"}}}}'),
  oddNames: {
    'a..b': { S: 'double dot' },
    '.lead': { S: 'x' },
    'trail.': { S: 'y' },
    _id: { S: 'metadata name' },
    _source: { S: 'z' },
    _cdc: { S: 'ours' },
    ' ': { S: 'blank' },
  },
  bigString: { essay: { S: 'あ'.repeat(100_000) } },
  numbers: {
    big: { N: '12345678901234567890123456789012345678' },
    tiny: { N: '1E-130' },
    huge: { N: '9.9999999999999999999999999999999999999E+125' },
  },
};

describe('items of every shape, through the deployed stack', () => {
  it.each(Object.keys(SHAPES))('keeps an item with %s exactly in the mirror and the change log', async (shape) => {
    const id = runPrefix(`shape-${shape}`);
    const item = { id: { S: id }, ...SHAPES[shape] };
    await client.send(
      new PutItemCommand({ TableName: TABLE, Item: Object.fromEntries(Object.entries(item).map(([k, v]) => [k, toSdkAttribute(v)])) }),
    );
    // What the table holds is the truth (the engine may normalise numbers: 1.50 is 1.5).
    const stored = await storedItem(id);
    expect(Object.keys(stored).sort()).toEqual(Object.keys(item).sort());

    const source = await waitForMirror(id);
    expect(canonical(itemOfMirrorDocument(source))).toEqual(expectedItem(stored));
    const [document] = await waitFor('the change-log document', async () => {
      const docs = await changeLogFor(opensearch, id);
      return docs.length > 0 ? docs : undefined;
    });
    expect(canonical({ ...document.unindexed, ...document }.data)).toEqual(canonical(stored));
  });

  it("keeps an item whose key is DynamoDB's longest (2,048 bytes) under an id no other key has", async () => {
    const id = `${runPrefix('long-key')}-${'k'.repeat(2000)}`.slice(0, 2048);
    await client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: id }, n: { N: '1' } } }));
    const documentIdOf = documentId({ id: { S: id } }, { partitionKey: 'id' });
    expect(documentIdOf).toMatch(/^\\sha256:/);
    const source = await waitForMirror(documentIdOf);
    expect(canonical(itemOfMirrorDocument(source))).toEqual(expectedItem({ id: { S: id }, n: { N: '1' } }));
  });

  it("reaches both indexes from the README's manual invoke (a hand-made record) without overriding anything", async () => {
    const id = runPrefix('manual');
    const payload = {
      Records: [{ eventName: 'INSERT', dynamodb: { Keys: { id: { S: id } }, NewImage: { id: { S: id }, name: { S: 'テスト' } } } }],
    };
    const lambda = new LambdaClient(sdkClientConfig(endpoints));
    try {
      const invoke = await lambda.send(
        new InvokeCommand({ FunctionName: 'dynamodb-cdc-handler', Payload: Buffer.from(JSON.stringify(payload)) }),
      );
      expect(invoke.FunctionError).toBeUndefined();
      expect(JSON.parse(Buffer.from(invoke.Payload!).toString())).toEqual({ batchItemFailures: [] });
    } finally {
      lambda.destroy();
    }
    const [document] = await waitFor('the manual change in the change log', async () => {
      const docs = await changeLogFor(opensearch, id);
      return docs.length > 0 ? docs : undefined;
    });
    expect(document).toMatchObject({ event_name: 'INSERT', manual: true, table_name: TABLE, data: payload.Records[0].dynamodb.NewImage });
    expect(await waitForMirror(id)).toMatchObject({ id, name: 'テスト', _cdc: { manual: true } });
  });
});

/**
 * On indexes of its own, through a function container of its own: a mirror filled to its field
 * limit would leave no room for the names the other suites bring to the shared mirror.
 */
describe('a table of 10,500 distinct attribute names', () => {
  const prefix = runPrefix('wide');
  const names = namesFor(prefix);
  const saved = { ...process.env };
  afterAll(async () => {
    process.env = saved;
    await opensearch.indices.delete({ index: `${prefix}-*`, ignore_unavailable: true, expand_wildcards: 'all' } as never);
  });

  it('is mirrored whole: the mapping stops at its limit, every item keeps its known attributes indexed and only new names unindexed', async () => {
    const handler = functionFor(names);
    const items = Array.from({ length: 105 }, (_, i) => ({
      id: { S: `${prefix}-${String(i).padStart(3, '0')}` },
      ...Object.fromEntries(Array.from({ length: 100 }, (_, j) => [`u_${i}_${j}`, { N: String(j) }])),
    }));
    const records = items.map((item, i) => insertRecord(item, { sequenceNumber: i + 1 }));
    for (let i = 0; i < records.length; i += 25) {
      expect(await handler({ Records: records.slice(i, i + 25) })).toEqual({ batchItemFailures: [] });
    }
    const ids = items.map((item) => item.id.S);
    const response = await fetch(`${endpoints.openSearch}/${names.mirror}/_mget`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ids }),
    });
    const docs = (parse(await response.text()) as { docs: { found: boolean; _source: Record<string, any> }[] }).docs;
    docs.forEach((doc, position) => expect(canonical(itemOfMirrorDocument(doc._source))).toEqual(expectedItem(items[position])));
    const unindexed = docs.filter((doc) => doc._source._cdc.unindexed !== undefined);
    for (const doc of unindexed) {
      expect(doc._source.id).toBeDefined();
      expect(doc._source._cdc.unindexed_reason).toMatch(/of its 5000 fields \(index.mapping.total_fields.limit\)/);
    }
    // Every item is found by its key, those past the limit too.
    await opensearch.indices.refresh({ index: names.mirror });
    const found = await opensearch.count({ index: names.mirror, body: { query: { terms: { 'id.keyword': ids } } } as never });
    expect(found.body.count).toBe(105);
    // The mappings, as OpenSearch holds them. The mirror's stays within its field limit (an index
    // without one would map all 10,500 names); the change log's is fixed: each image is one field.
    const [mirrorFields] = Object.values(await mappedFields(mirrorBackingIndex(names.mirror)));
    expect(mirrorFields.length).toBeLessThanOrEqual(5000);
    expect(unindexed.length).toBeGreaterThan(0);
    await opensearch.indices.refresh({ index: names.changeLog });
    expect((await opensearch.count({ index: names.changeLog })).body.count).toBe(105);
    const changeLogFields = Object.entries(await mappedFields(names.changeLog)).map(([partition, fields]) => ({
      partition,
      fields: fields.length,
      ofThisRun: fields.filter((path) => path.split('.').some((segment) => segment.startsWith('u_'))).length,
    }));
    for (const partition of changeLogFields) {
      expect(partition.ofThisRun).toBe(0);
      expect(partition.fields).toBeLessThanOrEqual(50);
    }
    process.stdout.write(
      `[wide] ${unindexed.length} of 105 items hold new names kept unindexed; mirror mapping ${mirrorFields.length} fields; change log ${JSON.stringify(changeLogFields)}\n`,
    );
  });
});

describe('a deleted item', () => {
  it('is gone from search, count and GET by id of the mirror, and a late older write does not bring it back', async () => {
    const id = runPrefix('deleted');
    await client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: id }, name: { S: 'soon gone' } } }));
    await waitForMirror(id);
    await client.send(new DeleteItemCommand({ TableName: TABLE, Key: { id: { S: id } } }));
    await waitFor('the REMOVE in the change log', async () =>
      (await changeLogFor(opensearch, id)).some((doc) => doc.event_name === 'REMOVE') ? true : undefined,
    );
    await waitFor('the item gone from GET by id', async () => ((await mirrorDocument(id)).found ? undefined : true));
    await opensearch.indices.refresh({ index: MIRROR });
    expect((await opensearch.count({ index: MIRROR, body: { query: { ids: { values: [id] } } } as never })).body.count).toBe(0);
    expect((await opensearch.search({ index: MIRROR, q: `id:"${id}"` } as never)).body.hits.hits).toHaveLength(0);
    const response = await opensearch.mget({ index: MIRROR, body: { ids: [id] } });
    expect((response.body.docs[0] as { found?: boolean }).found).toBe(false);

    // The INSERT arrives again, late (a re-drive, a replay): the tombstone keeps the item deleted.
    const [insert, remove] = (await changeLogFor(opensearch, id)).map((doc) => doc.sequence_number as string);
    const late = insertRecord({ id: { S: id }, name: { S: 'soon gone' } }, { sequenceNumber: insert });
    const os = await connect({ endpoint: endpoints.openSearch, requestTimeoutMs: 30_000 });
    try {
      const indexes = { changeLog: CHANGE_LOG, mirror: MIRROR, deadLetter: `${CHANGE_LOG}-deadletter` };
      // As the deployed function writes it: the layout the cluster holds.
      const { partitioning } = await detectChangeLogLayout(os, { indexes, changeLogPartitioning: 'daily' });
      const settings = { indexes, keySchema: { partitionKey: 'id' }, changeLogPartitioning: partitioning };
      const result = await applyChanges([{ ...late, eventID: `${id}-late` }], settings, new OpenSearchPort(os, 1 << 20));
      expect(result).toMatchObject({ failures: [], mirrorWritten: 0, mirrorSuperseded: 1 });
    } finally {
      await os.close();
    }
    expect((await mirrorDocument(id)).found).toBe(false);
    const tombstone = (await (await fetch(`${endpoints.openSearch}/${tombstoneIndex(MIRROR)}/_doc/${encodeURIComponent(id)}`)).json()) as {
      _source: { _cdc: { sequence_number: string } };
    };
    expect(tombstone._source._cdc.sequence_number).toBe(remove);
  });
});

describe('an index closed for a while', () => {
  it('makes its records retry (never dead letters), and they are written once it opens', async () => {
    const prefix = runPrefix('closed');
    const names = { changeLog: `${prefix}-log`, mirror: `${prefix}-mirror`, deadLetter: `${prefix}-dl` };
    const transport = await connect({ endpoint: endpoints.openSearch, requestTimeoutMs: 30_000 });
    const os = opensearch;
    try {
      const layout = await ensureIndexes(transport, { indexes: names });
      const settings = { indexes: names, keySchema: { partitionKey: 'id' }, changeLogPartitioning: layout.partitioning };
      const port = new OpenSearchPort(transport, 1 << 20);
      const batch = [
        insertRecord({ id: { S: 'a' } }, { sequenceNumber: 1 }),
        insertRecord({ id: { S: 'b' } }, { sequenceNumber: 2 }),
        removeRecord({ id: { S: 'a' } }, { sequenceNumber: 3 }),
      ];
      await os.indices.close({ index: mirrorBackingIndex(names.mirror) });
      const whileClosed = await applyChanges(batch, settings, port);
      expect(whileClosed.deadLettered).toEqual([]);
      expect(whileClosed.failures.map((failure) => failure.position).sort()).toEqual([0, 1, 2]);
      expect(whileClosed.failures[0].reason).toMatch(/closed/);
      await os.indices.open({ index: mirrorBackingIndex(names.mirror), wait_for_active_shards: '1' } as never);
      const reopened = await applyChanges(batch, settings, port);
      expect(reopened).toMatchObject({ failures: [], deadLettered: [] });
      await os.indices.refresh({ index: `${prefix}-*` });
      const ids = (await os.search({ index: names.mirror, body: { size: 10 } as never })).body.hits.hits.map((hit) => hit._id);
      expect(ids).toEqual(['b']);
    } finally {
      await os.indices.delete({ index: `${prefix}-*` });
      await transport.close();
    }
  });
});
