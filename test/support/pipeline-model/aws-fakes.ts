/**
 * The AWS clients the CLI uses, over the model: DynamoDB (DescribeTable, GetItem, Scan with
 * segments and pages) reads the model table; DynamoDB Streams (GetShardIterator, GetRecords) reads
 * the model stream, minus what was trimmed; SQS holds the event source's failure pointers.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { compareSequenceNumbers, type AttributeMap } from '../../../lambda/core';
import { KEY_SCHEMA, SHARD_ID, STREAM_ARN, streamsApiRecord, type ModelTable, type StreamChange } from './table';

interface Sent {
  readonly constructor: { readonly name: string };
  readonly input: any;
}

const copy = <T>(value: T): T => structuredClone(value);

/** Which Scan segment an item is in: any stable spread will do. */
function segmentOf(key: string, segments: number): number {
  return [...key].reduce((sum, char) => sum + char.charCodeAt(0), 0) % segments;
}

export function fakeDynamo(table: ModelTable): DynamoDBClient {
  const send = async ({ constructor, input }: Sent) => {
    switch (constructor.name) {
      case 'DescribeTableCommand':
        return {
          Table: {
            KeySchema: [{ AttributeName: KEY_SCHEMA.partitionKey, KeyType: 'HASH' }],
            AttributeDefinitions: [{ AttributeName: KEY_SCHEMA.partitionKey, AttributeType: 'S' }],
            ItemCount: table.items.size,
          },
        };
      case 'GetItemCommand': {
        const item = table.items.get(input.Key.pk.S);
        return item === undefined ? {} : { Item: copy(item) };
      }
      case 'ScanCommand':
        return scan(table, input);
      default:
        throw new Error(`the fake DynamoDB does not do ${constructor.name}`);
    }
  };
  return { send } as unknown as DynamoDBClient;
}

function scan(table: ModelTable, input: any) {
  const segments = input.TotalSegments ?? 1;
  const after: string | undefined = input.ExclusiveStartKey?.pk?.S;
  const keys = [...table.items.keys()]
    .filter((key) => segmentOf(key, segments) === (input.Segment ?? 0) && (after === undefined || key > after))
    .sort();
  const page = keys.slice(0, input.Limit ?? keys.length);
  const Items = page.map((key) => copy(table.items.get(key)!) as AttributeMap);
  const full = input.Limit !== undefined && page.length === input.Limit;
  return { Items, Count: Items.length, ...(full ? { LastEvaluatedKey: { pk: { S: page.at(-1)! } } } : {}) };
}

/** The stream's one shard; records before the trim horizon are gone, as DynamoDB Streams says. */
export function fakeStreams(table: ModelTable, pageSize = 2): DynamoDBStreamsClient {
  const send = async ({ constructor, input }: Sent) => {
    if (input.StreamArn !== undefined && input.StreamArn !== STREAM_ARN) throw new Error(`no stream ${input.StreamArn}`);
    switch (constructor.name) {
      case 'GetShardIteratorCommand':
        return { ShardIterator: `at:${iteratorPosition(table, input.SequenceNumber)}` };
      case 'GetRecordsCommand': {
        const position = Number(String(input.ShardIterator).slice('at:'.length));
        if (position < table.trimmedBefore) throw named('ExpiredIteratorException', 'the iterator points before the trim horizon');
        // The shard stays open, so an iterator at its end would be read forever: the model never asks for a range past the end.
        if (position >= table.changes.length) throw new Error('fake stream: read past the last record (a pointer past the stream?)');
        const records = table.changes.slice(position, position + Math.min(pageSize, input.Limit ?? pageSize));
        return { Records: records.map(streamsApiRecord), NextShardIterator: `at:${position + records.length}` };
      }
      default:
        throw new Error(`the fake DynamoDB Streams does not do ${constructor.name}`);
    }
  };
  return { send } as unknown as DynamoDBStreamsClient;
}

function iteratorPosition(table: ModelTable, sequenceNumber: string): number {
  const position = table.changes.findIndex((change) => compareSequenceNumbers(change.sequenceNumber, sequenceNumber) >= 0);
  if (position < 0) throw new Error(`fake stream: no record at or after ${sequenceNumber}`);
  if (position < table.trimmedBefore)
    throw named('TrimmedDataAccessException', `sequence number ${sequenceNumber} is beyond the trim horizon of the shard`);
  return position;
}

function named(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

interface QueuedMessage {
  readonly MessageId: string;
  readonly ReceiptHandle: string;
  readonly Body: string;
  visible: boolean;
}

/** The event source's on-failure destination: DDBStreamBatchInfo pointers. */
export class FakeQueue {
  readonly url = 'https://sqs.us-east-1.amazonaws.com/000000000000/test-table-dlq';
  readonly messages: QueuedMessage[] = [];
  private sent = 0;

  /** What Lambda sends when a batch's retries ran out (or its records grew too old). */
  sendPointer(changes: readonly StreamChange[]): void {
    this.sent++;
    const DDBStreamBatchInfo = {
      shardId: SHARD_ID,
      startSequenceNumber: changes[0].sequenceNumber,
      endSequenceNumber: changes.at(-1)!.sequenceNumber,
      approximateArrivalOfFirstRecord: new Date(changes[0].createdAt).toISOString(),
      approximateArrivalOfLastRecord: new Date(changes.at(-1)!.createdAt).toISOString(),
      batchSize: changes.length,
      streamArn: STREAM_ARN,
    };
    this.messages.push({
      MessageId: `message-${this.sent}`,
      ReceiptHandle: `receipt-${this.sent}`,
      Body: JSON.stringify({ requestContext: { condition: 'RetryAttemptsExhausted' }, DDBStreamBatchInfo }),
      visible: true,
    });
  }

  /** Received messages become visible again (their visibility timeout passes). */
  timeoutPasses(): void {
    for (const message of this.messages) message.visible = true;
  }

  readonly client = {
    send: async ({ constructor, input }: Sent) => {
      switch (constructor.name) {
        case 'ReceiveMessageCommand': {
          const received = this.messages.filter((message) => message.visible).slice(0, input.MaxNumberOfMessages ?? 1);
          for (const message of received) message.visible = false;
          return { Messages: received.map(({ MessageId, ReceiptHandle, Body }) => ({ MessageId, ReceiptHandle, Body })) };
        }
        case 'DeleteMessageCommand': {
          const at = this.messages.findIndex((message) => message.ReceiptHandle === input.ReceiptHandle);
          if (at >= 0) this.messages.splice(at, 1);
          return {};
        }
        case 'ChangeMessageVisibilityCommand': {
          const message = this.messages.find((candidate) => candidate.ReceiptHandle === input.ReceiptHandle);
          if (message && input.VisibilityTimeout === 0) message.visible = true;
          return {};
        }
        default:
          throw new Error(`the fake SQS does not do ${constructor.name}`);
      }
    },
  } as unknown as SQSClient;
}
