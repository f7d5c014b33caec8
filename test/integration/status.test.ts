/**
 * `cdc status --json` on the real engines, checked against what the tests know without the CLI:
 * the items and changes they made themselves (counted with their own reads), the verdict those
 * call for, and its exit code; with OpenSearch unreachable it says failing, and why.
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mirrorBackingIndex } from '../../lambda/settings/index-names';
import { sdkClientConfig } from '../../local/endpoints';
import {
  CHANGE_LOG,
  changeLogFor,
  DEAD_LETTER,
  dynamo,
  endpoints,
  MIRROR,
  mirrorFor,
  runPrefix,
  search,
  TABLE,
  waitFor,
} from '../support/live-system';
import { pipelineFlags } from '../support/cli-flags';
import { createTable } from '../support/private-table';

const client = dynamo();
const opensearch = search();
const sqs = new SQSClient(sdkClientConfig(endpoints));

afterAll(async () => {
  client.destroy();
  sqs.destroy();
  await opensearch.close();
});

function cdc(...args: string[]) {
  return spawnSync(process.execPath, [path.join(__dirname, '..', '..', 'bin', 'cdc.js'), '--local', ...args], {
    env: process.env,
    encoding: 'utf8',
    timeout: 120_000,
  });
}

function status(...flags: string[]) {
  const run = cdc(...flags, 'status', '--json');
  return { ...run, report: run.stdout ? JSON.parse(run.stdout) : undefined };
}

it('says healthy for a pipeline whose mirror holds its table, then failing for a dead letter and lagging for a lost document', async () => {
  const prefix = runPrefix('status');
  const table = `${prefix}-table`;
  const names = { changeLog: `${prefix}-log`, mirror: `${prefix}-mirror`, deadLetter: `${prefix}-dl` };
  // Its own table and indexes, and no stack of its own: no queue or mapping of others' tests to count.
  const target = pipelineFlags(table, names, { stack: `${prefix}-none` });
  await createTable(client, table);
  try {
    const ids = Array.from({ length: 40 }, (_, i) => `${prefix}-${i}`);
    // One item holds a list mixing text and numbers: the mirror keeps it exactly, unindexed.
    const itemOf = (id: string): Record<string, AttributeValue> =>
      id === ids[1] ? { id: { S: id }, mixed: { L: [{ S: 'a' }, { N: '1' }] } } : { id: { S: id } };
    for (let i = 0; i < ids.length; i += 20) {
      await client.send(
        new BatchWriteItemCommand({
          RequestItems: { [table]: ids.slice(i, i + 20).map((id) => ({ PutRequest: { Item: itemOf(id) } })) },
        }),
      );
    }
    expect(cdc(...target, 'backfill', '--json', '--checkpoint', path.join(os.tmpdir(), `${prefix}.json`)).status).toBe(0);

    const healthy = status(...target);
    expect(healthy.stderr).toBe('');
    expect(healthy.report).toMatchObject({
      table: { items: 40 },
      opensearch: { mirrorItems: 40, mirrorItemsUnindexed: 1, mirrorItemsIgnored: 0, deadLetters: 0 },
      verdict: { status: 'healthy' },
    });
    expect(healthy.status).toBe(0);
    expect(cdc(...target, 'status').stdout).toContain(
      '1 hold attributes kept exactly but unindexed (not searchable by them): read their _cdc.unindexed_reason',
    );
    // For cdc verify it is a note, not a difference: the item is mirrored exactly.
    const verified = cdc(...target, 'verify', '--json');
    expect(JSON.parse(verified.stdout)).toMatchObject({ matches: true, different: [], keptUnindexed: [ids[1]] });
    expect(cdc(...target, 'verify').stdout).toMatch(/note, not a difference: mirrored exactly, with attributes kept unindexed .*: 1 /);

    await opensearch.index({
      index: names.deadLetter,
      body: { failed_at: new Date().toISOString(), reason: 'refused for the test' },
      refresh: true,
    });
    const failing = status(...target);
    expect(failing.report).toMatchObject({
      opensearch: { deadLetters: 1 },
      verdict: { status: 'failing', reason: expect.stringContaining('1 record(s) were refused') },
    });
    expect(failing.status).toBe(1);

    await opensearch.deleteByQuery({ index: names.deadLetter, body: { query: { match_all: {} } } as never, refresh: true } as never);
    await opensearch.delete({ index: mirrorBackingIndex(names.mirror), id: ids[0], refresh: true });
    const lagging = status(...target);
    expect(lagging.report).toMatchObject({
      table: { items: 40 },
      opensearch: { mirrorItems: 39 },
      verdict: { status: 'lagging', reason: expect.stringContaining('the table holds 40 item(s), the mirror 39') },
    });
    expect(lagging.status).toBe(2);
  } finally {
    await client.send(new DeleteTableCommand({ TableName: table }));
    await opensearch.indices.delete({ index: `${prefix}-*` });
  }
});

/** The items of a table, each one read: the test's own count, not the CLI's. */
async function itemsIn(table: string): Promise<number> {
  let items = 0;
  let startKey: Record<string, any> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ProjectionExpression: 'id', ExclusiveStartKey: startKey }));
    items += page.Items?.length ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

async function countOf(index: string): Promise<number> {
  await opensearch.indices.refresh({ index });
  return (await opensearch.count({ index })).body.count;
}

/** Changes of earlier suites may still be on their way: waits until the mirror and the change log stop moving. */
async function settled(): Promise<void> {
  let last = '';
  await waitFor(
    'the mirror and the change log to settle',
    async () => {
      const now = `${await countOf(MIRROR)} ${await countOf(CHANGE_LOG)}`;
      const still = now === last;
      last = now;
      return still ? true : undefined;
    },
    60_000,
    2000,
  );
}

it("reports the stack's table, indexes, queue and mapping: the counts its own changes make, and failing for a dead letter of its own", async () => {
  await settled();
  const before = status();
  expect(before.stderr).toBe('');

  // Six items put and one of them deleted: five more items, six INSERTs and one REMOVE.
  const prefix = runPrefix('status-own');
  const ids = Array.from({ length: 6 }, (_, i) => `${prefix}-${i}`);
  for (const id of ids) await client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: id } } }));
  await client.send(new DeleteItemCommand({ TableName: TABLE, Key: { id: { S: ids[0] } } }));
  await waitFor('its seven changes in the change log', async () =>
    (await changeLogFor(opensearch, prefix)).length === 7 ? true : undefined,
  );
  await waitFor('its five items in the mirror', async () =>
    Object.keys(await mirrorFor(opensearch, prefix)).length === 5 ? true : undefined,
  );
  await settled();

  const after = status();
  expect(after.stderr).toBe('');
  expect(after.report.table).toEqual({ name: TABLE, counted: 'scan', items: before.report.table.items + 5 });
  expect(after.report.table.items).toBe(await itemsIn(TABLE));
  expect(after.report.opensearch).toMatchObject({
    mirrorItems: before.report.opensearch.mirrorItems + 5,
    changes: {
      INSERT: (before.report.opensearch.changes.INSERT ?? 0) + 6,
      REMOVE: (before.report.opensearch.changes.REMOVE ?? 0) + 1,
    },
    deadLetters: before.report.opensearch.deadLetters,
  });
  expect(after.report.opensearch.mirrorItems).toBe(await countOf(MIRROR));
  expect(after.report.opensearch.deadLetters).toBe(await countOf(DEAD_LETTER));
  expect(after.report.opensearch.newestChangeAgeSeconds).toBeLessThan(120);
  expect(after.report.eventSourceMapping.state).toBe('Enabled');
  const queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: 'dynamodb-cdc-dlq' }))).QueueUrl!;
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  expect(after.report.deadLetterQueue).toMatchObject({ url: queueUrl, visible: Number(Attributes!.ApproximateNumberOfMessages) });

  // A dead letter of its own: whatever else the shared system holds, the pipeline is failing.
  const letter = await opensearch.index({
    index: DEAD_LETTER,
    body: { failed_at: new Date().toISOString(), table_name: TABLE, reason: 'refused for the status test' },
    refresh: true,
  });
  try {
    const failing = status();
    expect(failing.stderr).toBe('');
    expect(failing.report.opensearch.deadLetters).toBe(after.report.opensearch.deadLetters + 1);
    expect(failing.report.verdict.status).toBe('failing');
    expect(failing.status).toBe(1);
  } finally {
    await opensearch.delete({ index: DEAD_LETTER, id: letter.body._id, refresh: true });
  }
});

it('says failing, and why, when OpenSearch is down', () => {
  const { report, status: exitCode } = status('--opensearch', 'http://localhost:1');
  expect(exitCode).toBe(1);
  expect(report.opensearch.error).toMatch(/ECONNREFUSED/);
  expect(report.verdict).toEqual({
    status: 'failing',
    reason: expect.stringMatching(/^OpenSearch cannot be read at http:\/\/localhost:1/),
  });
});
