/**
 * A whole re-drive setting in memory, for unit tests of `cdc redrive`: the in-memory engine, a
 * table, a dead-letter queue, a stream to read pointers back from, the dead-letter index read in
 * pages, a clock, and the maintenance's tombstone purge. Every piece is what RedriveDependencies
 * takes, so the re-drive functions run unchanged.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetterSource, MirrorReader } from '../../lambda/adapters/opensearch';
import { refKey, storedDeadLetter, type AttributeMap, type Revision, type StoredDeadLetter } from '../../lambda/core';
import { purgeTombstones, type PipelineSettings } from '../../lambda/pipeline';
import { emptyReport, type RedriveDependencies, type RedriveReport } from '../../cli/redrive';
import { repair, type Difference } from '../../cli/sync';
import { InMemorySearch } from './in-memory-search';
import { STREAM_ARN } from './stream-records';

export const TABLE = 'test-table';
export const MIRROR = 'test-table-v1';
export const TOMBSTONES = 'test-table-tombstones';
export const CHANGE_LOG = 'dynamodb-cdc';
export const DEAD_LETTER = 'dynamodb-cdc-deadletter';
export const SETTINGS: PipelineSettings = {
  indexes: { changeLog: CHANGE_LOG, mirror: TABLE, deadLetter: DEAD_LETTER },
  keySchema: { partitionKey: 'id' },
  changeLogPartitioning: 'none',
  tableName: TABLE,
};
export const HOUR = 3_600_000;

/** The table: items by their `id` (S), read as DynamoDB would answer DescribeTable and GetItem. */
export class FakeTable {
  readonly items = new Map<string, AttributeMap>();

  put(item: AttributeMap): void {
    this.items.set(item.id.S!, item);
  }

  client(): DynamoDBClient {
    return {
      send: async (command: { constructor: { name: string }; input: { Key?: { id: { S: string } } } }) => {
        if (command.constructor.name === 'DescribeTableCommand')
          return {
            Table: {
              KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
              AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
            },
          };
        if (command.constructor.name === 'GetItemCommand') return { Item: this.items.get(command.input.Key!.id.S) };
        throw new Error(`the fake table does not answer ${command.constructor.name}`);
      },
    } as unknown as DynamoDBClient;
  }
}

/** The dead-letter queue: messages stay until deleted. */
export class FakeQueue {
  readonly messages = new Map<string, string>();
  private sent = 0;

  /** A DDBStreamBatchInfo pointer at these sequence numbers, as Lambda writes it. */
  point(startSequenceNumber: string, endSequenceNumber: string): void {
    const body = { DDBStreamBatchInfo: { shardId: 'shard-1', startSequenceNumber, endSequenceNumber, streamArn: STREAM_ARN } };
    this.messages.set(`message-${++this.sent}`, JSON.stringify(body));
  }

  client(): SQSClient {
    return {
      send: async (command: { constructor: { name: string }; input: { ReceiptHandle?: string } }) => {
        if (command.constructor.name === 'ReceiveMessageCommand')
          return { Messages: [...this.messages].map(([id, Body]) => ({ MessageId: id, ReceiptHandle: id, Body })) };
        if (command.constructor.name === 'DeleteMessageCommand') this.messages.delete(command.input.ReceiptHandle!);
        return {};
      },
    } as unknown as SQSClient;
  }
}

/** A stream holding these records (Lambda-event shaped), served as the Streams API does: times as dates, no stream ARN. */
export function fakeStream(records: readonly Record<string, any>[], whileReading: () => void = () => undefined): DynamoDBStreamsClient {
  const served = records.map(({ eventSourceARN: _arn, ...record }) => ({
    ...record,
    dynamodb: { ...record.dynamodb, ApproximateCreationDateTime: new Date(record.dynamodb.ApproximateCreationDateTime * 1000) },
  }));
  return {
    send: async (command: { constructor: { name: string } }) => {
      if (command.constructor.name === 'GetShardIteratorCommand') return { ShardIterator: 'iterator' };
      whileReading();
      return { Records: served, NextShardIterator: undefined };
    },
  } as unknown as DynamoDBStreamsClient;
}

/** The dead-letter index of the in-memory engine, read as the DeadLetterStore reads it: this table's letters, oldest first, in pages. */
export class InMemoryDeadLetters implements DeadLetterSource {
  /** Pages handed out. */
  pagesRead = 0;

  constructor(
    private readonly search: InMemorySearch,
    private readonly pageSize = 1000,
    private readonly whileReading: () => void = () => undefined,
  ) {}

  async *pages(tableName: string): AsyncGenerator<StoredDeadLetter[]> {
    // One view taken when reading starts, as the store's scroll is.
    const letters = Object.entries(this.search.sources(DEAD_LETTER))
      .filter(([, document]) => document.table_name === tableName)
      .sort(([, a], [, b]) => String(a.failed_at).localeCompare(String(b.failed_at)))
      .map(([id, document]) => storedDeadLetter(id, document as never));
    for (let start = 0; start < letters.length; start += this.pageSize) {
      this.whileReading();
      this.pagesRead++;
      yield letters.slice(start, start + this.pageSize);
    }
  }

  async countOthers(tableName: string): Promise<number> {
    return Object.values(this.search.sources(DEAD_LETTER)).filter((document) => document.table_name !== tableName).length;
  }

  async delete(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.search.delete(DEAD_LETTER, id);
  }
}

/** The maintenance's tombstone purge at `now`: tombstones whose change is older than the retention go. */
export async function purgeExpiredTombstones(search: InMemorySearch, now: Date, retentionHours: number) {
  const olderThan = now.getTime() - retentionHours * HOUR;
  const ids = Object.entries(search.sources(TOMBSTONES))
    .filter(([, tombstone]) => new Date(tombstone._cdc.timestamp).getTime() < olderThan)
    .map(([id]) => id);
  const states = await search.readStates(ids.map((id) => ({ index: TOMBSTONES, id })));
  const expired = ids.map((id) => {
    const state = states.get(refKey({ index: TOMBSTONES, id }))!;
    return { id, revision: state.revision as Revision, sequenceNumber: state.sequenceNumber };
  });
  return purgeTombstones(expired, { mirror: MIRROR, tombstones: TOMBSTONES }, search);
}

export interface RedriveWorld {
  readonly search: InMemorySearch;
  readonly table: FakeTable;
  readonly queue: FakeQueue;
  readonly report: RedriveReport;
  readonly log: string[];
  /** The time re-drive sees; tests move it. */
  now: Date;
  /** Dependencies for a run; `streamRecords` is what the stream holds. */
  deps(options?: { streamRecords?: readonly Record<string, any>[]; pageSize?: number; readTakes?: number }): RedriveDependencies & {
    deadLetters: InMemoryDeadLetters;
  };
}

export function redriveWorld(options: { now: Date; tombstoneRetentionHours?: number }): RedriveWorld {
  const search = new InMemorySearch();
  const table = new FakeTable();
  const mirror = { items: async () => new Map() } as unknown as MirrorReader;
  const world: RedriveWorld = {
    search,
    table,
    queue: new FakeQueue(),
    report: emptyReport(),
    log: [],
    now: options.now,
    deps: ({ streamRecords = [], pageSize, readTakes = 0 } = {}) => {
      // A read that takes `readTakes` ms of the clock: the age rule must measure after it.
      const reading = () => void (world.now = new Date(world.now.getTime() + readTakes));
      return {
        tombstoneRetentionHours: options.tombstoneRetentionHours ?? 25,
        repairMirror: (items: readonly Difference[]) =>
          repair(items, { dynamo: table.client(), port: search, mirror, tableName: TABLE, settings: SETTINGS }),
        sqs: world.queue.client(),
        streams: fakeStream(streamRecords, reading),
        port: search,
        deadLetters: new InMemoryDeadLetters(search, pageSize, reading),
        settings: SETTINGS,
        tableName: TABLE,
        log: (line: string) => void world.log.push(line),
        readOptions: { timeLimitMs: 1000, minBackoffMs: 1, maxBackoffMs: 1, sleep: async () => undefined },
        clock: () => world.now,
      };
    },
  };
  return world;
}
