/**
 * Reads a range of stream records back from DynamoDB Streams, as a dead-letter-queue pointer
 * (DDBStreamBatchInfo) names it. Records stay readable for the stream's 24 h retention.
 *
 * A page of GetRecords can be empty although records follow (the iterator walks the shard in
 * steps), so reading goes on until the range's end sequence number is seen or the shard ends,
 * with backoff between empty pages and a time limit. A range whose end was not reached is
 * reported as incomplete: its pointer must be kept.
 */
import { GetRecordsCommand, GetShardIteratorCommand, type DynamoDBStreamsClient, type _Record } from '@aws-sdk/client-dynamodb-streams';
import { compareSequenceNumbers } from '../../lambda/core';

export interface StreamRange {
  readonly streamArn: string;
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
}

export interface RangeRead {
  readonly records: _Record[];
  /** The end sequence number (or the end of a closed shard) was reached. */
  readonly complete: boolean;
  /** Why it is incomplete. */
  readonly reason?: string;
}

export interface ReadOptions {
  /** Give up after this long without reaching the end. */
  readonly timeLimitMs: number;
  /** Wait after an empty page: doubles from `minBackoffMs` up to `maxBackoffMs`. */
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly sleep: (ms: number) => Promise<void>;
}

const DEFAULT_OPTIONS: ReadOptions = {
  timeLimitMs: 60_000,
  minBackoffMs: 100,
  maxBackoffMs: 2_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** The pointer Lambda (and the emulators) put on an on-failure destination. */
export function parseFailurePointer(body: string): StreamRange & { batchSize?: number } {
  let message: any;
  try {
    message = JSON.parse(body);
  } catch {
    throw new Error('message is not JSON');
  }
  const info = message?.DDBStreamBatchInfo;
  for (const field of ['streamArn', 'shardId', 'startSequenceNumber', 'endSequenceNumber']) {
    if (typeof info?.[field] !== 'string')
      throw new Error(`message has no DDBStreamBatchInfo.${field}: not a DynamoDB stream failure record`);
  }
  return info;
}

export async function readStreamRange(
  client: DynamoDBStreamsClient,
  range: StreamRange,
  options: Partial<ReadOptions> = {},
): Promise<RangeRead> {
  const { timeLimitMs, minBackoffMs, maxBackoffMs, sleep } = { ...DEFAULT_OPTIONS, ...options };
  const started = Date.now();
  const { ShardIterator } = await client.send(
    new GetShardIteratorCommand({
      StreamArn: range.streamArn,
      ShardId: range.shardId,
      ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      SequenceNumber: range.startSequenceNumber,
    }),
  );
  const records: _Record[] = [];
  let iterator = ShardIterator;
  let backoff = minBackoffMs;
  while (iterator) {
    const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    for (const record of page.Records ?? []) {
      const sequence = record.dynamodb?.SequenceNumber ?? '';
      if (compareSequenceNumbers(sequence, range.endSequenceNumber) > 0) return { records, complete: true };
      if (compareSequenceNumbers(sequence, range.startSequenceNumber) >= 0) records.push(record);
      if (sequence === range.endSequenceNumber) return { records, complete: true };
    }
    if (!page.NextShardIterator) return { records, complete: true }; // the shard is closed and fully read
    iterator = page.NextShardIterator;
    if ((page.Records ?? []).length > 0) {
      backoff = minBackoffMs;
      continue;
    }
    if (Date.now() - started >= timeLimitMs) break;
    await sleep(backoff);
    backoff = Math.min(backoff * 2, maxBackoffMs);
  }
  const last = records.at(-1)?.dynamodb?.SequenceNumber;
  return {
    records,
    complete: false,
    reason:
      `read ${records.length} record(s) up to ${last ?? 'none'} in ${Math.round((Date.now() - started) / 1000)} s ` +
      `without reaching the range's end ${range.endSequenceNumber}`,
  };
}
