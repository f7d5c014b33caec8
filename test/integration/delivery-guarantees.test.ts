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
import { readStreamRange } from '../../cli/stream-range';
import { createClient, ensureIndexes, OpenSearchPort } from '../../lambda/adapters/opensearch';
import { mirrorBackingIndex } from '../../lambda/core/index-layout';
import { compareSequenceNumbers } from '../../lambda/core/sequence-number';
import { applyChanges } from '../../lambda/sync/apply-changes';
import { sdkClientConfig } from '../../local/endpoints';
import { restartEngine } from '../../local/runner';
import { CHANGE_LOG, changeLogFor, DEAD_LETTER, dynamo, endpoints, mirrorFor, runPrefix, search, TABLE, waitFor } from '../support/live-system';
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
  return spawnSync(process.execPath, [path.join(__dirname, '..', '..', 'bin', 'cdc.js'), ...args], { encoding: 'utf8', env: process.env });
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
      const records = await readStreamRange(streams, { streamArn, shardId: shard.ShardId!, startSequenceNumber: shard.SequenceNumberRange!.StartingSequenceNumber!, endSequenceNumber: '9'.repeat(80) }, 2).catch(() => []);
      found.push({ records: records.filter((record) => String(record.dynamodb?.Keys?.id?.S ?? '').startsWith(prefix)), shardId: shard.ShardId! });
    }
    const best = found.find((entry) => entry.records.length >= expected);
    return best ? { ...best, streamArn } : undefined;
  });
}

function settingsFor(names: { changeLog: string; mirror: string; deadLetter: string }) {
  return {
    changeLogIndex: names.changeLog,
    mirrorIndex: mirrorBackingIndex(names.mirror),
    deadLetterIndex: names.deadLetter,
    keySchema: { partitionKey: 'id' },
    maxBulkBytes: 9 * 1024 * 1024,
    maxConflictRounds: 3,
  };
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
  await expectEveryChangeExactlyOnce(opensearch, prefix, perKey, 300_000);
  await expectMirrorEqualsTable(client, opensearch, prefix);
});

it('ends identical whether a batch is applied once, three times, or with batches in reverse order', async () => {
  const prefix = runPrefix('replay');
  const perKey = planWorkload(prefix, 10, 60, 3);
  await runWorkload(client, perKey, 4);
  const records = (await streamRecordsFor(prefix, 60)).records as unknown as Record<string, unknown>[];
  const names = (suffix: string) => ({ changeLog: `${prefix}-${suffix}-log`, mirror: `${prefix}-${suffix}-mirror`, deadLetter: `${prefix}-${suffix}-dl` });
  const once = names('once');
  const replayed = names('replayed');
  const os = createClient({ endpoint: endpoints.openSearch, requestTimeoutMs: 30_000 });
  try {
    for (const set of [once, replayed]) await ensureIndexes(os, set);
    const port = new OpenSearchPort(os);
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
    await os.indices.delete({ index: `${prefix}-*` });
    await os.close();
  }
});

it('dead-letters a poison record and indexes every other record of its batch and later ones', async () => {
  const prefix = runPrefix('poison');
  const field = `mixed_${prefix.replace(/[^a-z0-9]/g, '_')}`;
  for (let i = 0; i < 10; i++) {
    const id = `${prefix}-${i}`;
    // Record 5 holds a list mixing a string and a number: the mirror's mapping cannot take it.
    const item = i === 5 ? { id: { S: id }, [field]: { L: [{ S: 'x' }, { N: '1' }] } } : { id: { S: id }, n: { N: String(i) } };
    await client.send(new PutItemCommand({ TableName: TABLE, Item: item }));
  }
  const letter = await waitFor('the poison record in the dead-letter index', async () => {
    await opensearch.indices.refresh({ index: DEAD_LETTER });
    const response = await opensearch.search({ index: DEAD_LETTER, body: { query: { term: { document_id: `${prefix}-5` } } } as never });
    return response.body.hits.hits[0]?._source as Record<string, any> | undefined;
  });
  expect(letter).toMatchObject({ target: 'mirror', status: 400, event_name: 'INSERT', reason: expect.stringContaining(field) });
  expect(JSON.parse(letter.record_json).dynamodb.NewImage[field]).toEqual({ L: [{ S: 'x' }, { N: '1' }] });
  const mirrored = await waitFor('the other nine items in the mirror', async () => {
    const found = await mirrorFor(opensearch, prefix);
    return Object.keys(found).length === 9 ? found : undefined;
  });
  expect(Object.keys(mirrored).sort()).toEqual([0, 1, 2, 3, 4, 6, 7, 8, 9].map((i) => `${prefix}-${i}`));
  expect(await changeLogFor(opensearch, prefix)).toHaveLength(10);
  // Re-driving the dead letter while the mapping still refuses it keeps it, and says why.
  const redrive = runCdc('redrive', '--no-queue-redrive');
  expect(redrive.status).toBe(1);
  expect(redrive.stderr).toContain(`still refused: illegal_argument_exception: mapper [${field}]`);
  await opensearch.indices.refresh({ index: DEAD_LETTER });
  expect((await opensearch.count({ index: DEAD_LETTER, body: { query: { term: { document_id: `${prefix}-5` } } } as never })).body.count).toBe(1);
  // Later writes still flow.
  await client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: `${prefix}-later` } } }));
  await waitFor('a later write in the mirror', async () => ((await mirrorFor(opensearch, `${prefix}-later`))[`${prefix}-later`] ? true : undefined));
});

it('re-drives a dead-letter-queue pointer from the stream, leaving the queue empty and the indexes complete', async () => {
  const prefix = runPrefix('redrive');
  for (let i = 0; i < 5; i++) await client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: `${prefix}-${i}` }, n: { N: String(i) } } }));
  await waitFor('the five changes in the change log', async () => ((await changeLogFor(opensearch, prefix)).length === 5 ? true : undefined));
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
        DDBStreamBatchInfo: { shardId, startSequenceNumber: sequences[0], endSequenceNumber: sequences[sequences.length - 1], batchSize: 5, streamArn },
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
  expect(Object.keys(await mirrorFor(opensearch, prefix))).toHaveLength(5);
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  expect(attributes.Attributes).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });

  // Idempotent: a second run finds nothing to do and changes nothing.
  const second = redrive();
  expect(second.status).toBe(0);
  expect(second.stdout).toMatch(/queue: 0\/0 message\(s\) re-driven/);
  expect(await changeLogFor(opensearch, prefix)).toEqual(documents);
});
