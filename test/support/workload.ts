/**
 * A reproducible workload of puts, updates and deletes over many keys, and the checks that the
 * change log holds each change exactly once, in order, and the mirror equals a Scan.
 */
import {
  DeleteItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Client } from '@opensearch-project/opensearch';
import { changeLogFor, mirrorFor, TABLE, waitFor, withoutBookkeeping } from './live-system';

type Operation = 'put' | 'update' | 'delete';

export interface Write {
  readonly key: string;
  readonly operation: Operation;
  /** What the change log must show: event name and the version attribute of its image. */
  readonly expected: string;
  sentAt?: number;
}

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
}

/** `writes / keys` writes per key; the first write of a key (and any after a delete) creates it. */
export function planWorkload(prefix: string, keys: number, writes: number, seed = 42): Write[][] {
  const next = random(seed);
  const perKey: Write[][] = [];
  for (let k = 0; k < keys; k++) {
    const key = `${prefix}-${String(k).padStart(4, '0')}`;
    let exists = false;
    let version = 0;
    const list: Write[] = [];
    for (let n = 0; n < writes / keys; n++) {
      const roll = next();
      const operation: Operation = !exists ? 'put' : roll < 0.4 ? 'put' : roll < 0.75 ? 'update' : 'delete';
      if (operation === 'delete') {
        list.push({ key, operation, expected: `REMOVE:${version}` });
        exists = false;
      } else {
        version += 1;
        list.push({ key, operation, expected: `${exists ? 'MODIFY' : 'INSERT'}:${version}` });
        exists = true;
      }
    }
    perKey.push(list);
  }
  return perKey;
}

async function perform(client: DynamoDBClient, write: Write): Promise<void> {
  const key = { id: { S: write.key } };
  const version = write.expected.split(':')[1];
  write.sentAt = Date.now();
  if (write.operation === 'put') {
    await client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: { ...key, version: { N: version }, payload: { S: 'x'.repeat(1000) }, tags: { SS: ['a', `v${version}`] } },
      }),
    );
  } else if (write.operation === 'update') {
    await client.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: key,
        UpdateExpression: 'SET version = :v, updated = :t',
        ExpressionAttributeValues: { ':v': { N: version }, ':t': { BOOL: true } },
      }),
    );
  } else {
    await client.send(new DeleteItemCommand({ TableName: TABLE, Key: key }));
  }
}

/**
 * Runs the workload with `writers` in parallel (writer w takes keys w, w+writers, ...: each key's
 * writes stay in order). `onProgress` sees the count of writes done.
 */
export async function runWorkload(
  client: DynamoDBClient,
  perKey: Write[][],
  writers: number,
  onProgress: (done: number) => Promise<void> | void = () => undefined,
): Promise<number> {
  const started = Date.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      for (let k = writer; k < perKey.length; k += writers) {
        for (const write of perKey[k]) {
          await perform(client, write);
          await onProgress(++done);
        }
      }
    }),
  );
  return (Date.now() - started) / 1000;
}

export function describeDocument(document: Record<string, any>): string {
  const image = document.data ?? document.new_data ?? document.deleted_data;
  return `${document.event_name}:${image?.version?.N}`;
}

/** Waits for the change log to hold every write, then checks exactly once and per-key order. */
export async function expectEveryChangeExactlyOnce(
  opensearch: Client,
  prefix: string,
  perKey: Write[][],
  timeoutMs = 180_000,
): Promise<Record<string, any>[]> {
  const writes = perKey.flat();
  const documents = await waitFor(
    `${writes.length} change-log documents`,
    async () => {
      const found = await changeLogFor(opensearch, prefix);
      return found.length >= writes.length ? found : undefined;
    },
    timeoutMs,
    1000,
  );
  const expected = writes.map((write) => `${write.key}|${write.expected}`).sort();
  const actual = documents.map((document) => `${document.keys.id.S}|${describeDocument(document)}`).sort();
  expect(actual).toEqual(expected);
  expect(new Set(documents.map((document) => document.event_id)).size).toBe(writes.length);
  const byKey = new Map<string, string[]>();
  for (const document of documents) byKey.set(document.keys.id.S, [...(byKey.get(document.keys.id.S) ?? []), describeDocument(document)]);
  for (const writesOfKey of perKey) expect(byKey.get(writesOfKey[0].key)).toEqual(writesOfKey.map((write) => write.expected));
  return documents;
}

/** The mirror's live documents with `prefix` equal a consistent Scan of the table. */
export async function expectMirrorEqualsTable(client: DynamoDBClient, opensearch: Client, prefix: string): Promise<void> {
  const table: Record<string, unknown> = {};
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: TABLE,
        FilterExpression: 'begins_with(id, :p)',
        ExpressionAttributeValues: { ':p': { S: prefix } },
        ExclusiveStartKey: startKey,
        ConsistentRead: true,
      }),
    );
    for (const item of page.Items ?? []) {
      const plain = unmarshall(item, { wrapNumbers: (text) => Number(text) as never });
      table[plain.id] = JSON.parse(JSON.stringify(plain, (_k, v) => (v instanceof Set ? [...v].sort() : v)));
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const mirrorNow = async () =>
    Object.fromEntries(
      Object.entries(await mirrorFor(opensearch, prefix)).map(([id, source]) => {
        const item = withoutBookkeeping(source);
        return [id, { ...item, ...(item.tags ? { tags: [...item.tags].sort() } : {}) }];
      }),
    );
  // Changes may still be on their way through the stream (seconds on LocalStack): wait for them.
  const same = await waitFor(
    'the mirror to equal the table',
    async () => {
      const mirrored = await mirrorNow();
      return JSON.stringify(sortKeys(mirrored)) === JSON.stringify(sortKeys(table)) ? true : undefined;
    },
    120_000,
    1000,
  ).catch(() => false);
  if (!same) expect(await mirrorNow()).toEqual(table);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  return value;
}

/** Median, 95th percentile and slowest of write -> change-log document written, in ms. */
export function latencyFigures(perKey: Write[][], documents: Record<string, any>[]): string {
  const byChange = new Map(documents.map((document) => [`${document.keys.id.S}|${describeDocument(document)}`, document]));
  const latencies = perKey
    .flat()
    .map((write) => Date.parse(byChange.get(`${write.key}|${write.expected}`)!.processed_at) - write.sentAt!)
    .sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))];
  return `median ${at(0.5)} ms, p95 ${at(0.95)} ms, slowest ${latencies[latencies.length - 1]} ms`;
}
