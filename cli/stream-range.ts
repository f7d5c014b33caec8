/**
 * Reads a range of stream records back from DynamoDB Streams, as a dead-letter-queue pointer
 * (DDBStreamBatchInfo) names it. Records stay readable for the stream's 24 h retention.
 */
import { DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import { compareSequenceNumbers } from '../lambda/core/sequence-number';

export interface StreamRange {
  readonly streamArn: string;
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
}

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
    if (typeof info?.[field] !== 'string') throw new Error(`message has no DDBStreamBatchInfo.${field}: not a DynamoDB stream failure record`);
  }
  return info;
}

export async function readStreamRange(client: DynamoDBStreamsClient, range: StreamRange, maxEmptyPolls = 5): Promise<_Record[]> {
  const { ShardIterator } = await client.send(
    new GetShardIteratorCommand({ StreamArn: range.streamArn, ShardId: range.shardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: range.startSequenceNumber }),
  );
  const records: _Record[] = [];
  let iterator = ShardIterator;
  let emptyPolls = 0;
  while (iterator) {
    const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    for (const record of page.Records ?? []) {
      const sequence = record.dynamodb?.SequenceNumber ?? '';
      if (compareSequenceNumbers(sequence, range.endSequenceNumber) > 0) return records;
      if (compareSequenceNumbers(sequence, range.startSequenceNumber) >= 0) records.push(record);
    }
    if (records.length > 0 && records[records.length - 1].dynamodb?.SequenceNumber === range.endSequenceNumber) return records;
    emptyPolls = (page.Records ?? []).length === 0 ? emptyPolls + 1 : 0;
    if (emptyPolls >= maxEmptyPolls) break;
    iterator = page.NextShardIterator;
  }
  if (records.length === 0) {
    throw new Error(`no records found from ${range.startSequenceNumber} on shard ${range.shardId}: past the stream's retention?`);
  }
  return records;
}
