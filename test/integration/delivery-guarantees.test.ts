/**
 * Delivery guarantees under faults, against the real engines. Where the emulator's event source
 * differs from AWS (no partial batch responses, no bisect), the tests drive applyChanges
 * directly with records read back from the real stream.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { DescribeTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, type _Record } from '@aws-sdk/client-dynamodb-streams';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { readStreamRange } from '../../cli/redrive/stream-range';
import { connect, ensureIndexes, OpenSearchPort } from '../../lambda/adapters/opensearch';
import { compareSequenceNumbers } from '../../lambda/core/sequence-number';
import { applyChanges, type PipelineSettings } from '../../lambda/pipeline/apply-changes';
import { mirrorBackingIndex } from '../../lambda/settings/index-names';
import { sdkClientConfig } from '../../local/endpoints';
import { restartEngine } from '../../local/runner';
import {
  CHANGE_LOG,
  changeLogFor,
  DEAD_LETTER,
  dynamo,
  endpoints,
  mirrorFor,
  putDeadLetter,
  runPrefix,
  search,
  TABLE,
  waitFor,
} from '../support/live-system';
import { insertRecord } from '../support/stream-records';
import { expectEveryChangeExactlyOnce, expectMirrorEqualsTable, planWorkload, runWorkload } from '../support/workload';

const client = dynamo();
const opensearch = search();
const streams = new DynamoDBStreamsClient(sdkClientConfig(endpoints));
const sqs = new SQSClient(sdkClientConfig(endpoints));

afterAll(async () => {
  client.destroy();
  streams.destroy();
  sqs.destroy();
  await opensearch.close();
});

function runCdc(...args: string[]) {
  return spawnSync(process.execPath, [path.join(__dirname, '..', '..', 'bin', 'cdc.js'), '--local', ...args], {
    encoding: 'utf8',
    env: process.env,
  });
}

/** Records of the table's stream whose key starts with `prefix`, in stream order. */
async function streamRecordsFor(prefix: string, expected: number): Promise<{ records: _Record[]; streamArn: string; shardId: string }> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: TABLE }));
  const streamArn = Table!.LatestStreamArn!;
  return waitFor(`${expected} stream records for ${prefix}`, async () => {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const found: { records: _Record[]; shardId: string }[] = [];
    for (const shard of StreamDescription?.Shards ?? []) {
      // An end past any sequence number: AWS's have at most 40 digits, LocalStack's (kinesis-local) 56.
      const range = {
        streamArn,
        shardId: shard.ShardId!,
        startSequenceNumber: shard.SequenceNumberRange!.StartingSequenceNumber!,
        endSequenceNumber: '9'.repeat(80),
      };
      const { records } = await readStreamRange(streams, range, { timeLimitMs: 1000 }).catch(() => ({ records: [] as _Record[] }));
      found.push({
        records: records.filter((record) => String(record.dynamodb?.Keys?.id?.S ?? '').startsWith(prefix)),
        shardId: shard.ShardId!,
      });
    }
    const best = found.find((entry) => entry.records.length >= expected);
    return best ? { ...best, streamArn } : undefined;
  });
}

function settingsFor(names: { changeLog: string; mirror: string; deadLetter: string }): PipelineSettings {
  return { indexes: names, keySchema: { partitionKey: 'id' }, changeLogPartitioning: 'none' };
}

async function indexContents(index: string): Promise<Record<string, unknown>> {
  await opensearch.indices.refresh({ index });
  const response = await opensearch.search({ index, body: { size: 10_000 } as never });
  return Object.fromEntries(
    (response.body.hits.hits as { _id: string; _source: Record<string, unknown> }[]).map(({ _id, _source }) => {
      const { processed_at, ...rest } = _source;
      return [_id, rest];
    }),
  );
}

it('loses and duplicates nothing when OpenSearch is down for 30 s in the middle of 2,000 changes', async () => {
  const prefix = runPrefix('outage');
  const perKey = planWorkload(prefix, 400, 2000, 7);
  let outage: Promise<void> | undefined;
  await runWorkload(client, perKey, 8, (done) => {
    if (done === 1000) outage = restartEngine('opensearch', 30_000, (line) => process.stdout.write(`[fault] ${line}\n`));
  });
  await outage;
  // Where retries run out during the outage (LocalStack, AWS; MiniStack retries forever), the
  // batches wait on the DLQ as pointers: an operator re-drives them, and then nothing is missing.
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'dynamodb-cdc-dlq' }));
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      await expectEveryChangeExactlyOnce(opensearch, prefix, perKey, 20_000);
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      const depth = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
      if (Number(depth.Attributes?.ApproximateNumberOfMessages ?? 0) > 0) {
        const redrive = runCdc('redrive', '--no-index-redrive');
        process.stdout.write(`[fault] re-drove the DLQ: ${redrive.stdout.trim()} ${redrive.stderr.trim()}\n`);
      }
    }
  }
  await expectMirrorEqualsTable(client, opensearch, prefix);
});

it('ends identical whether a batch is applied once, three times, or with batches in reverse order', async () => {
  const prefix = runPrefix('replay');
  const perKey = planWorkload(prefix, 10, 60, 3);
  await runWorkload(client, perKey, 4);
  const records = (await streamRecordsFor(prefix, 60)).records as unknown as Record<string, unknown>[];
  const names = (suffix: string) => ({
    changeLog: `${prefix}-${suffix}-log`,
    mirror: `${prefix}-${suffix}-mirror`,
    deadLetter: `${prefix}-${suffix}-dl`,
  });
  const once = names('once');
  const replayed = names('replayed');
  const transport = await connect({ endpoint: endpoints.openSearch, requestTimeoutMs: 30_000 });
  try {
    for (const set of [once, replayed]) await ensureIndexes(transport, { indexes: set });
    const port = new OpenSearchPort(transport, 9 * 1024 * 1024);
    const first = records.slice(0, 30);
    const second = records.slice(30);
    expect((await applyChanges(records, settingsFor(once), port)).failures).toEqual([]);
    expect((await applyChanges(second, settingsFor(replayed), port)).failures).toEqual([]);
    expect((await applyChanges(first, settingsFor(replayed), port)).failures).toEqual([]);
    for (let i = 0; i < 3; i++) expect((await applyChanges(records, settingsFor(replayed), port)).failures).toEqual([]);
    expect(await indexContents(replayed.changeLog)).toEqual(await indexContents(once.changeLog));
    expect(await indexContents(mirrorBackingIndex(replayed.mirror))).toEqual(await indexContents(mirrorBackingIndex(once.mirror)));
    expect(Object.keys(await indexContents(once.changeLog))).toHaveLength(60);
  } finally {
    await opensearch.indices.delete({ index: `${prefix}-*` });
    await transport.close();
  }
});

it('re-drives the dead letters of its own table from the dead-letter index, and leaves those of other tables', async () => {
  const prefix = runPrefix('letters');
  const id = `${prefix}-refused`;
  // A dead letter as the function records it when OpenSearch refused a write (e.g. a 413), and
  // one of another table sharing the index.
  const record = insertRecord({ id: { S: id }, n: { N: '1' } }, { sequenceNumber: 10, at: Math.floor(Date.now() / 1000) });
  const foreign = insertRecord({ id: { S: `${prefix}-foreign` } }, { sequenceNumber: 11 });
  const foreignArn = 'arn:aws:dynamodb:us-east-1:000000000000:table/other-table/stream/2024-01-01T00:00:00.000';
  const letters = [
    { _id: `${prefix}-1`, table_name: TABLE, record_json: JSON.stringify(record) },
    { _id: `${prefix}-2`, table_name: 'other-table', record_json: JSON.stringify({ ...foreign, eventSourceARN: foreignArn }) },
  ];
  for (const { _id, ...letter } of letters) {
    await opensearch.index({
      index: DEAD_LETTER,
      id: _id,
      body: { ...letter, failed_at: new Date().toISOString(), target: 'mirror', reason: 'refused' } as never,
      refresh: true,
    });
  }
  const redrive = runCdc('redrive', '--no-queue-redrive');
  expect(redrive.stderr).toBe('');
  expect(redrive.status).toBe(0);
  expect(redrive.stdout).toMatch(/dead-letter index: 1\/1 cleared/);
  expect(redrive.stdout).toMatch(
    /dead letter\(s\) of other tables, or of none \(malformed records, kept only to be read\), left as they are/,
  );
  expect(Object.keys(await mirrorFor(opensearch, prefix))).toEqual([id]);
  await opensearch.indices.refresh({ index: DEAD_LETTER });
  const left = await opensearch.search({ index: DEAD_LETTER, body: { query: { prefix: { table_name: 'other' } }, size: 100 } as never });
  expect((left.body.hits.hits as { _id: string }[]).map((hit) => hit._id)).toContain(`${prefix}-2`);
  await opensearch.delete({ index: DEAD_LETTER, id: `${prefix}-2`, refresh: true });
});

it('re-drives a dead letter older than the tombstones to the change log only, and puts the mirror right from the table: a deleted item stays deleted', async () => {
  const prefix = runPrefix('oldletter');
  const gone = `${prefix}-gone`;
  const kept = `${prefix}-kept`;
  // Changes refused four days ago; since then `gone` was deleted (its tombstone purged) and `kept` changed.
  await client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: kept }, n: { N: '2' } } }));
  await waitFor('the stream to mirror the kept item', async () =>
    Object.keys(await mirrorFor(opensearch, kept)).length === 1 ? true : undefined,
  );
  const fourDaysAgo = Math.floor(Date.now() / 1000) - 4 * 86_400;
  const letters = [gone, kept].map((id, i) =>
    insertRecord({ id: { S: id }, n: { N: '1' } }, { sequenceNumber: 5 + i, at: fourDaysAgo, eventId: `${prefix}-event-${i}` }),
  );
  for (const [i, record] of letters.entries()) await putDeadLetter(opensearch, `${prefix}-${i}`, record);
  const redrive = runCdc('redrive', '--no-queue-redrive');
  expect(redrive.stderr).toBe('');
  expect(redrive.status).toBe(0);
  expect(redrive.stdout).toMatch(/dead-letter index: 2\/2 cleared/);
  expect(redrive.stdout).toMatch(/2 dead letter\(s\) older than the tombstones' retention/);
  expect(Object.keys(await mirrorFor(opensearch, gone))).toEqual([]);
  expect(Object.values(await mirrorFor(opensearch, kept))).toMatchObject([{ n: 2 }]);
  expect((await changeLogFor(opensearch, gone)).map((doc) => doc.event_name)).toEqual(['INSERT']);
});

it('re-drives a dead-letter-queue pointer from the stream, leaving the queue empty and the indexes complete', async () => {
  const prefix = runPrefix('redrive');
  for (let i = 0; i < 5; i++)
    await client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: `${prefix}-${i}` }, n: { N: String(i) } } }));
  await waitFor('the five changes in the change log', async () =>
    (await changeLogFor(opensearch, prefix)).length === 5 ? true : undefined,
  );
  const { records, streamArn, shardId } = await streamRecordsFor(prefix, 5);
  const sequences = records.map((record) => record.dynamodb!.SequenceNumber!).sort(compareSequenceNumbers);

  // The range is lost downstream (as if its retries had run out) ...
  await opensearch.deleteByQuery({ index: CHANGE_LOG, body: { query: { prefix: { 'keys.id.S': prefix } } } as never, refresh: true });
  await opensearch.deleteByQuery({ index: TABLE, body: { query: { prefix: { 'id.keyword': prefix } } } as never, refresh: true });
  expect(await changeLogFor(opensearch, prefix)).toHaveLength(0);
  // ... and its pointer waits on the dead-letter queue, in the format Lambda writes.
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'dynamodb-cdc-dlq' }));
  await sqs.send(
    new SendMessageCommand({
      QueueUrl,
      MessageBody: JSON.stringify({
        requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 11 },
        DDBStreamBatchInfo: {
          shardId,
          startSequenceNumber: sequences[0],
          endSequenceNumber: sequences[sequences.length - 1],
          batchSize: 5,
          streamArn,
        },
      }),
    }),
  );

  const redrive = () => runCdc('redrive', '--no-index-redrive');
  const first = redrive();
  expect(first.stderr).toBe('');
  expect(first.status).toBe(0);
  expect(first.stdout).toMatch(/queue: 1\/1 message\(s\) re-driven/);
  const documents = await changeLogFor(opensearch, prefix);
  expect(documents.map((document) => document.keys.id.S).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `${prefix}-${i}`));
  // Records read back from the Streams API name their table through the pointer's stream.
  expect(new Set(documents.map((document) => document.table_name))).toEqual(new Set([TABLE]));
  expect(Object.keys(await mirrorFor(opensearch, prefix))).toHaveLength(5);
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  expect(attributes.Attributes).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });

  // Idempotent: a second run finds nothing to do and changes nothing.
  const second = redrive();
  expect(second.status).toBe(0);
  expect(second.stdout).toMatch(/queue: 0\/0 message\(s\) re-driven/);
  expect(await changeLogFor(opensearch, prefix)).toEqual(documents);
});
