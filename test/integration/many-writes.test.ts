/**
 * 1,000 writes across 200 keys (puts, updates, deletes, 8 writers at once): every change appears
 * exactly once in the change log, and the mirror equals a Scan of the table. Prints the time
 * from each write to its document being written (a figure, not an assertion).
 */
import { DeleteItemCommand, PutItemCommand, ScanCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { changeLogFor, dynamo, mirrorFor, runPrefix, search, TABLE, waitFor, withoutBookkeeping } from '../support/live-system';

const KEYS = 200;
const WRITES = 1000;
const WRITERS = 8;

const client = dynamo();
const opensearch = search();

afterAll(async () => {
  client.destroy();
  await opensearch.close();
});

type Operation = 'put' | 'update' | 'delete';
interface Write {
  readonly key: string;
  readonly operation: Operation;
  /** What the change log must show: event name and the version attribute of its image. */
  readonly expected: string;
  sentAt?: number;
}

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
}

function plan(prefix: string): Write[][] {
  const next = random(42);
  const perKey: Write[][] = [];
  for (let k = 0; k < KEYS; k++) {
    const key = `${prefix}-${String(k).padStart(3, '0')}`;
    let exists = false;
    let version = 0;
    const writes: Write[] = [];
    for (let n = 0; n < WRITES / KEYS; n++) {
      const roll = next();
      const operation: Operation = !exists ? 'put' : roll < 0.4 ? 'put' : roll < 0.75 ? 'update' : 'delete';
      if (operation === 'delete') {
        writes.push({ key, operation, expected: `REMOVE:${version}` });
        exists = false;
      } else {
        version += 1;
        writes.push({ key, operation, expected: `${exists ? 'MODIFY' : 'INSERT'}:${version}` });
        exists = true;
      }
    }
    perKey.push(writes);
  }
  return perKey;
}

async function perform(write: Write): Promise<void> {
  const key = { id: { S: write.key } };
  const version = write.expected.split(':')[1];
  write.sentAt = Date.now();
  if (write.operation === 'put') {
    await client.send(new PutItemCommand({ TableName: TABLE, Item: { ...key, version: { N: version }, payload: { S: 'x'.repeat(1000) }, tags: { SS: ['a', `v${version}`] } } }));
  } else if (write.operation === 'update') {
    await client.send(
      new UpdateItemCommand({ TableName: TABLE, Key: key, UpdateExpression: 'SET version = :v, updated = :t', ExpressionAttributeValues: { ':v': { N: version }, ':t': { BOOL: true } } }),
    );
  } else {
    await client.send(new DeleteItemCommand({ TableName: TABLE, Key: key }));
  }
}

function describeDocument(document: Record<string, any>): string {
  const image = document.data ?? document.new_data ?? document.deleted_data;
  return `${document.event_name}:${image?.version?.N}`;
}

it('delivers 1,000 mixed changes exactly once and leaves the mirror equal to the table', async () => {
  const prefix = runPrefix('load');
  const perKey = plan(prefix);
  const started = Date.now();
  // Writer w takes keys w, w+8, ...: each key's writes stay in order, keys run in parallel.
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, writer) => {
      for (let k = writer; k < KEYS; k += WRITERS) for (const write of perKey[k]) await perform(write);
    }),
  );
  const writeSeconds = (Date.now() - started) / 1000;
  const writes = perKey.flat();
  expect(writes).toHaveLength(WRITES);

  const documents = await waitFor(
    `${WRITES} change-log documents`,
    async () => {
      const found = await changeLogFor(opensearch, prefix);
      return found.length >= WRITES ? found : undefined;
    },
    180_000,
    1000,
  );
  // Exactly once: the same multiset of (key, event, version), no extra, no missing.
  const expected = writes.map((write) => `${write.key}|${write.expected}`).sort();
  const actual = documents.map((document) => `${document.keys.id.S}|${describeDocument(document)}`).sort();
  expect(actual).toEqual(expected);
  expect(new Set(documents.map((document) => document.event_id)).size).toBe(WRITES);

  // Per key, the change log is in write order.
  for (const writesOfKey of perKey) {
    const ofKey = documents.filter((document) => document.keys.id.S === writesOfKey[0].key).map(describeDocument);
    expect(ofKey).toEqual(writesOfKey.map((write) => write.expected));
  }

  const table: Record<string, unknown> = {};
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: TABLE, FilterExpression: 'begins_with(id, :p)', ExpressionAttributeValues: { ':p': { S: prefix } }, ExclusiveStartKey: startKey, ConsistentRead: true }),
    );
    for (const item of page.Items ?? []) {
      const plain = unmarshall(item, { wrapNumbers: (text) => Number(text) as never });
      table[plain.id] = JSON.parse(JSON.stringify(plain, (_k, v) => (v instanceof Set ? [...v].sort() : v)));
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const mirror = await waitFor('the mirror to equal the table', async () => {
    const found = await mirrorFor(opensearch, prefix);
    return Object.keys(found).length === Object.keys(table).length ? found : undefined;
  });
  const mirrored = Object.fromEntries(
    Object.entries(mirror).map(([id, source]) => {
      const item = withoutBookkeeping(source);
      return [id, { ...item, tags: [...item.tags].sort() }];
    }),
  );
  expect(mirrored).toEqual(table);

  const latencies = writes
    .map((write) => {
      const document = documents.find((d) => d.keys.id.S === write.key && describeDocument(d) === write.expected)!;
      return Date.parse(document.processed_at) - write.sentAt!;
    })
    .sort((a, b) => a - b);
  const median = latencies[Math.floor(latencies.length / 2)];
  const p95 = latencies[Math.floor(latencies.length * 0.95)];
  process.stdout.write(
    `[figures] ${WRITES} writes over ${KEYS} keys in ${writeSeconds.toFixed(1)} s (${(WRITES / writeSeconds).toFixed(0)} writes/s); ` +
      `write -> change-log document written: median ${median} ms, p95 ${p95} ms, slowest ${latencies[latencies.length - 1]} ms ` +
      `(searchable up to 1 s later: the index refresh interval)\n`,
  );
});
