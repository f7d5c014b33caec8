/**
 * The model's DynamoDB side: a clock that advances hours at a time, the table (key → item) and its
 * stream (every change, with increasing sequence numbers and creation times). Both are the truth
 * the pipeline's indexes are compared with; the fakes of the AWS clients read them.
 */
import type { AttributeMap } from '../../../lambda/core';

export const TABLE = 'test-table';
export const KEY_SCHEMA = { partitionKey: 'pk' } as const;
export const STREAM_ARN = `arn:aws:dynamodb:us-east-1:000000000000:table/${TABLE}/stream/2026-01-01T00:00:00.000`;
export const SHARD_ID = 'shardId-00000001';
export const HOUR = 3_600_000;
/** DynamoDB Streams keeps records 24 h (and may still return them for a while after). */
export const STREAM_RETENTION_HOURS = 24;

export class ModelClock {
  /** `follow`: told every time the clock moves (the test makes it the system clock, for code that reads `new Date()`). */
  constructor(
    public now = Date.UTC(2026, 0, 1),
    private readonly follow: (now: number) => void = () => undefined,
  ) {
    follow(now);
  }

  date(): Date {
    return new Date(this.now);
  }

  advance(hours: number): void {
    this.now += hours * HOUR;
    this.follow(this.now);
  }

  hoursAgo(hours: number): number {
    return this.now - hours * HOUR;
  }
}

/** One change as the stream holds it. */
export interface StreamChange {
  readonly sequenceNumber: string;
  readonly eventId: string;
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  /** Epoch milliseconds, whole seconds (the stream's precision). */
  readonly createdAt: number;
  readonly keys: AttributeMap;
  readonly newImage?: AttributeMap;
  readonly oldImage?: AttributeMap;
}

export const keyOf = (key: string): AttributeMap => ({ pk: { S: key } });

export class ModelTable {
  readonly items = new Map<string, AttributeMap>();
  /** Every change since the stream was enabled, oldest first; the first `trimmedBefore` are gone from the stream. */
  readonly changes: StreamChange[] = [];
  trimmedBefore = 0;
  private versions = 0;
  private sequence = 1000;

  /** `existing`: items written before the stream was enabled (only a backfill brings them). */
  constructor(
    private readonly clock: ModelClock,
    existing: readonly string[],
  ) {
    for (const key of existing) this.items.set(key, this.nextImage(key));
  }

  /** A user writes the item (a new version each time): INSERT or MODIFY. */
  put(key: string): StreamChange {
    const oldImage = this.items.get(key);
    const newImage = this.nextImage(key);
    this.items.set(key, newImage);
    return this.record(oldImage ? 'MODIFY' : 'INSERT', key, { newImage, oldImage });
  }

  /** A user deletes the item: REMOVE (nothing when it is not there). */
  delete(key: string): StreamChange | undefined {
    const oldImage = this.items.get(key);
    if (oldImage === undefined) return undefined;
    this.items.delete(key);
    return this.record('REMOVE', key, { oldImage });
  }

  /** Records older than this leave the stream (DynamoDB may trim them any time after 24 h). */
  trimOlderThan(cutoff: number): void {
    while (this.trimmedBefore < this.changes.length && this.changes[this.trimmedBefore].createdAt < cutoff) this.trimmedBefore++;
  }

  private nextImage(key: string): AttributeMap {
    this.versions++;
    return { pk: { S: key }, version: { N: String(this.versions) }, label: { S: `${key} v${this.versions}` } };
  }

  private record(eventName: StreamChange['eventName'], key: string, images: Pick<StreamChange, 'newImage' | 'oldImage'>): StreamChange {
    const sequenceNumber = String(++this.sequence).padStart(21, '0');
    const change: StreamChange = {
      sequenceNumber,
      eventId: `event-${sequenceNumber}`,
      eventName,
      createdAt: Math.floor(this.clock.now / 1000) * 1000,
      keys: keyOf(key),
      ...images,
    };
    this.changes.push(change);
    return change;
  }
}

/** The change as Lambda hands it to the function (creation time in epoch seconds). */
export function lambdaRecord(change: StreamChange) {
  return {
    eventID: change.eventId,
    eventName: change.eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    eventSourceARN: STREAM_ARN,
    dynamodb: {
      ApproximateCreationDateTime: change.createdAt / 1000,
      Keys: change.keys,
      ...(change.newImage ? { NewImage: change.newImage } : {}),
      ...(change.oldImage ? { OldImage: change.oldImage } : {}),
      SequenceNumber: change.sequenceNumber,
      SizeBytes: 100,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

/** The change as the Streams API returns it (a Date, no event source ARN). */
export function streamsApiRecord(change: StreamChange) {
  const { eventSourceARN: _arn, ...record } = lambdaRecord(change);
  return { ...record, dynamodb: { ...record.dynamodb, ApproximateCreationDateTime: new Date(change.createdAt) } };
}
