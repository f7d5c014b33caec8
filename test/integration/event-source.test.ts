/**
 * The event source mapping on the emulator, with a record that fails transiently: the tombstone
 * index is made read-only, so a REMOVE cannot be written while the INSERTs around it can. The
 * poller retries it (LocalStack through the partial batch response; MiniStack, which ignores
 * those, through the thrown error the local deploy asks for) and it lands once the block is gone.
 * Where retries can run out (LocalStack, AWS), the batch lands on the SQS DLQ as a real
 * DDBStreamBatchInfo pointer, and `cdc redrive` re-applies it.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { tombstoneIndex } from '../../lambda/settings/index-names';
import { sdkClientConfig } from '../../local/endpoints';
import { changeLogFor, dynamo, endpoints, itOnLocalStack, MIRROR, runPrefix, search, TABLE, waitFor } from '../support/live-system';

const client = dynamo();
const opensearch = search();
const sqs = new SQSClient(sdkClientConfig(endpoints));
const TOMBSTONES = tombstoneIndex(MIRROR);

afterAll(async () => {
  await blockTombstones(false);
  client.destroy();
  sqs.destroy();
  await opensearch.close();
});

async function blockTombstones(blocked: boolean): Promise<void> {
  await opensearch.indices.putSettings({ index: TOMBSTONES, body: { 'index.blocks.write': blocked } as never });
}

async function inMirror(id: string): Promise<boolean> {
  return (await fetch(`${endpoints.openSearch}/${MIRROR}/_doc/${encodeURIComponent(id)}`)).ok;
}

async function queueUrl(): Promise<string> {
  return (await sqs.send(new GetQueueUrlCommand({ QueueName: 'dynamodb-cdc-dlq' }))).QueueUrl!;
}

async function queueDepth(): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: await queueUrl(), AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
}

/** Puts a, b, c; then, with the tombstones blocked, deletes b between two more puts. */
async function failingRemove(prefix: string): Promise<void> {
  for (const name of ['a', 'b', 'c']) await client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: `${prefix}-${name}` } } }));
  await waitFor('a, b, c in the mirror', async () =>
    (await inMirror(`${prefix}-c`)) && (await inMirror(`${prefix}-b`)) ? true : undefined,
  );
  await blockTombstones(true);
  await client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: `${prefix}-d` } } }));
  await client.send(new DeleteItemCommand({ TableName: TABLE, Key: { id: { S: `${prefix}-b` } } }));
  await client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: `${prefix}-e` } } }));
}

it('retries a record that failed until it is written, and loses nothing around it', async () => {
  const prefix = runPrefix('retried');
  await failingRemove(prefix);
  // The INSERT before the failing REMOVE arrives; the REMOVE is retried, not dropped.
  await waitFor('d in the mirror', async () => ((await inMirror(`${prefix}-d`)) ? true : undefined));
  await new Promise((resolve) => setTimeout(resolve, 3000));
  expect(await inMirror(`${prefix}-b`)).toBe(true);
  await blockTombstones(false);
  await waitFor('b deleted from the mirror', async () => ((await inMirror(`${prefix}-b`)) ? undefined : true));
  await waitFor('e in the mirror', async () => ((await inMirror(`${prefix}-e`)) ? true : undefined));
  const events = (await changeLogFor(opensearch, prefix)).map((doc) => `${doc.event_name} ${doc.keys.id.S.slice(prefix.length + 1)}`);
  expect(events).toEqual(['INSERT a', 'INSERT b', 'INSERT c', 'INSERT d', 'REMOVE b', 'INSERT e']);
});

// LocalStack only: MiniStack retries a failing stream batch forever (it ignores MaximumRetryAttempts),
// so retries never run out there; on MiniStack this test shows as skipped.
itOnLocalStack(
  'sends a batch whose retries ran out to the SQS DLQ as a stream pointer that cdc redrive re-applies',
  async () => {
    const prefix = runPrefix('exhausted');
    await failingRemove(prefix);
    // 1 + retryAttempts (10) invocations with backoff: about a minute on LocalStack.
    await waitFor('a pointer on the DLQ', async () => ((await queueDepth()) > 0 ? true : undefined), 240_000, 2000);
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: await queueUrl(), VisibilityTimeout: 0, MaxNumberOfMessages: 1 }),
    );
    expect(JSON.parse(Messages![0].Body!)).toMatchObject({
      requestContext: { condition: 'RetryAttemptsExhausted' },
      DDBStreamBatchInfo: {
        streamArn: expect.stringContaining(`table/${TABLE}/stream`),
        shardId: expect.any(String),
        startSequenceNumber: expect.any(String),
        endSequenceNumber: expect.any(String),
      },
    });
    expect(await inMirror(`${prefix}-b`)).toBe(true);
    await blockTombstones(false);
    const redrive = spawnSync(
      process.execPath,
      [path.join(__dirname, '..', '..', 'bin', 'cdc.js'), '--local', 'redrive', '--no-index-redrive'],
      { encoding: 'utf8', env: process.env },
    );
    expect(redrive.stderr).toBe('');
    expect(redrive.status).toBe(0);
    expect(redrive.stdout).toMatch(/queue: [1-9]\d*\/[1-9]\d* message\(s\) re-driven/);
    expect(await inMirror(`${prefix}-b`)).toBe(false);
    expect(await queueDepth()).toBe(0);
    const events = (await changeLogFor(opensearch, prefix)).map((doc) => `${doc.event_name} ${doc.keys.id.S.slice(prefix.length + 1)}`);
    expect(events).toContain('REMOVE b');
    expect(events.filter((event) => event === 'REMOVE b')).toHaveLength(1);
  },
  360_000,
);
