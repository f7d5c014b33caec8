/**
 * What the bench writes: items of a given size and a typical shape (strings, numbers, a map, a
 * list), as DynamoDB items and as the stream records the function receives, INSERT-only or a mix
 * of INSERT, MODIFY and REMOVE over the same keys.
 */
import type { AttributeMap, RawStreamRecord } from '../../lambda/core';
import { ROUTED_KINDS } from './bench-routes';

export const KEY_SCHEMA = { partitionKey: 'id' } as const;
const STREAM_ARN = 'arn:aws:dynamodb:us-east-1:000000000000:table/bench/stream/2024-01-01T00:00:00.000';

/** The item's bytes besides its padding (names and values of the other attributes, roughly). */
const FIXED_BYTES = 160;

/** An item of about `bytes` bytes (attribute names and values, as DynamoDB counts them). */
export function benchItem(id: string, i: number, bytes: number, version = 1): AttributeMap {
  return {
    id: { S: id },
    name: { S: `user ${i}` },
    // What the routed path splits items by (bench-routes.ts).
    kind: { S: ROUTED_KINDS[i % ROUTED_KINDS.length] },
    bio: { S: 'x'.repeat(Math.max(0, bytes - FIXED_BYTES - id.length)) },
    age: { N: String(20 + (i % 50)) },
    score: { N: `${i}.${i % 97}` },
    version: { N: String(version) },
    address: { M: { city: { S: 'Tokyo' }, zip: { S: String(100000 + i) } } },
    tags: { L: [{ S: 'a' }, { S: 'b' }, { S: `t${i % 10}` }] },
  };
}

/** The key of the i-th item of a run. */
export function keyOf(run: string, i: number): string {
  return `${run}-${String(i).padStart(7, '0')}`;
}

/** The i of a key made by keyOf. */
export function indexOfKey(key: string): number {
  return Number(key.slice(key.lastIndexOf('-') + 1));
}

export type ChangeKind = 'INSERT' | 'MODIFY' | 'REMOVE';

/** A stream generator: sequence numbers rise across every record it makes, as on one shard. */
export class StreamWriter {
  private sequence = 0;

  /** @param createdAt the records' creation time (the change log's partition is its day) */
  constructor(
    private readonly run: string,
    private readonly itemBytes: number,
    private readonly createdAt = new Date(),
  ) {}

  record(kind: ChangeKind, i: number): RawStreamRecord {
    const sequence = ++this.sequence;
    const id = keyOf(this.run, i);
    const images = {
      INSERT: { NewImage: benchItem(id, i, this.itemBytes, 1) },
      MODIFY: { NewImage: benchItem(id, i, this.itemBytes, 2), OldImage: benchItem(id, i, this.itemBytes, 1) },
      REMOVE: { OldImage: benchItem(id, i, this.itemBytes, 2) },
    }[kind];
    return {
      eventID: `${this.run}-event-${sequence}`,
      eventName: kind,
      eventSource: 'aws:dynamodb',
      eventSourceARN: STREAM_ARN,
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(this.createdAt.getTime() / 1000),
        Keys: { id: { S: id } },
        ...images,
        SequenceNumber: String(sequence).padStart(21, '0'),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    };
  }
}

export type Workload = 'insert' | 'mix';

/**
 * `count` records in stream order. `insert`: a new key each. `mix`: steps of three blocks of
 * `block` keys, each step inserting new keys, modifying the keys the step before inserted and
 * removing the keys the step before that modified, so a third of the records are each kind once
 * under way, and every MODIFY and REMOVE meets a document written by an earlier batch.
 */
export function streamOf(workload: Workload, count: number, writer: StreamWriter, block: number): RawStreamRecord[] {
  if (workload === 'insert') return Array.from({ length: count }, (_, i) => writer.record('INSERT', i));
  const records: RawStreamRecord[] = [];
  const push = (kind: ChangeKind, from: number) => {
    for (let i = from; i < from + block && records.length < count; i++) records.push(writer.record(kind, i));
  };
  for (let step = 0; records.length < count; step++) {
    push('INSERT', step * block);
    if (step >= 1) push('MODIFY', (step - 1) * block);
    if (step >= 2) push('REMOVE', (step - 2) * block);
  }
  return records;
}

/** Records cut into batches of `size`, as the event source hands them over. */
export function batchesOf<T>(records: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let start = 0; start < records.length; start += size) batches.push(records.slice(start, start + size));
  return batches;
}

/** A run id that no other run uses (index names and keys start with it). */
export function runId(what: string): string {
  return `bench-${what}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
}
