/**
 * An item with every DynamoDB type goes through the real table, stream, function and OpenSearch
 * and arrives without loss: the change log equals what the table holds (DynamoDB JSON), the
 * mirror equals it unmarshalled, and its numbers keep every digit in `_source`.
 */
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { changeLogFor, dynamo, endpoints, MIRROR, runPrefix, search, TABLE, waitFor, withoutBookkeeping } from '../support/live-system';
import { EVERY_TYPE_ITEM, toSdkAttribute } from '../support/stream-records';

const client = dynamo();
const opensearch = search();

afterAll(async () => {
  client.destroy();
  await opensearch.close();
});

/** SDK output (bytes) to Lambda-event JSON (base64 binary). */
function toEventJson(value: any): any {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((b: Uint8Array) => Buffer.from(b).toString('base64')) };
  if (value.M !== undefined) return { M: Object.fromEntries(Object.entries(value.M).map(([k, v]) => [k, toEventJson(v)])) };
  if (value.L !== undefined) return { L: value.L.map(toEventJson) };
  return value;
}

it('round-trips every DynamoDB type into the change log and the mirror', async () => {
  const id = runPrefix('every-type');
  const item = Object.fromEntries(Object.entries({ ...EVERY_TYPE_ITEM, id: { S: id } }).map(([k, v]) => [k, toSdkAttribute(v)]));
  await client.send(new PutItemCommand({ TableName: TABLE, Item: item }));
  const stored = (await client.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: id } }, ConsistentRead: true }))).Item!;
  const storedJson = Object.fromEntries(Object.entries(stored).map(([k, v]) => [k, toEventJson(v)]));

  const [document] = await waitFor('the change-log document', async () => {
    const docs = await changeLogFor(opensearch, id);
    return docs.length > 0 ? docs : undefined;
  });
  expect(document.event_name).toBe('INSERT');
  expect(sortSets(document.data)).toEqual(sortSets(storedJson));

  // Raw `_source` text: numbers must appear digit for digit as the table holds them.
  const raw = await waitFor('the mirror document', async () => {
    const response = await fetch(`${endpoints.openSearch}/${MIRROR}/_doc/${encodeURIComponent(id)}`);
    return response.ok ? response.text() : undefined;
  });
  for (const name of ['big', 'precise', 'integer', 'negative']) {
    expect(raw).toContain(`"${name}":${stored[name].N}`);
  }
  expect(raw).toContain('"text":"テストユーザー 🚀 ünïcödé"');

  const mirrored = withoutBookkeeping(JSON.parse(raw)._source);
  const expected = JSON.parse(
    JSON.stringify(unmarshall(stored, { wrapNumbers: (text) => Number(text) as never }), (_key, value) =>
      value instanceof Set ? [...value] : value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value,
    ),
  );
  expect(sortSets(mirrored)).toEqual(sortSets(expected));
});

/** Sets have no order in DynamoDB: compare them sorted. */
function sortSets(value: any): any {
  if (Array.isArray(value)) return value.map(sortSets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      ['SS', 'NS', 'BS', 'strings', 'numbers', 'binaries'].includes(k) && Array.isArray(v) ? [...v].map(String).sort() : sortSets(v),
    ]),
  );
}
