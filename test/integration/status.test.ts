/**
 * `cdc status --json` on the real engines: the counts it reports are the ones the engines hold,
 * its verdict follows them, and with OpenSearch unreachable it says failing, and why.
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mirrorBackingIndex } from '../../lambda/settings/index-names';
import { verdictOf } from '../../cli/status/verdict';
import { countItems } from '../../cli/table/table-items';
import { changeLogFor, DEAD_LETTER, dynamo, MIRROR, runPrefix, search, TABLE, waitFor } from '../support/live-system';

const client = dynamo();
const opensearch = search();

afterAll(async () => {
  client.destroy();
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
  const target = [
    '--stack',
    `${prefix}-none`,
    '--table',
    table,
    '--key-schema',
    'id',
    '--mirror-index',
    names.mirror,
    '--change-log-index',
    names.changeLog,
    '--dead-letter-index',
    names.deadLetter,
  ];
  await client.send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
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

it('reports the counts the engines hold, and the verdict they call for', async () => {
  // A change of its own, so the change log has an INSERT whichever suites ran before; changes of
  // earlier suites may still be on their way: the counts are compared once the mirror stops moving.
  const id = runPrefix('status-insert');
  await client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: id } } }));
  await waitFor('its INSERT in the change log', async () => ((await changeLogFor(opensearch, id)).length === 1 ? true : undefined));
  let last = -1;
  await waitFor(
    'the mirror to settle',
    async () => {
      await opensearch.indices.refresh({ index: MIRROR });
      const count = (await opensearch.count({ index: MIRROR })).body.count;
      const settled = count === last;
      last = count;
      return settled ? true : undefined;
    },
    60_000,
    2000,
  );
  const { report, status: exitCode, stderr } = status();
  expect(stderr).toBe('');
  expect(report.table).toMatchObject({ name: TABLE, counted: 'scan', items: await countItems(client, TABLE) });
  await opensearch.indices.refresh({ index: [MIRROR, DEAD_LETTER].join(',') });
  expect(report.opensearch.mirrorItems).toBe((await opensearch.count({ index: MIRROR })).body.count);
  expect(report.opensearch.deadLetters).toBe((await opensearch.count({ index: DEAD_LETTER })).body.count);
  expect(report.opensearch.changes.INSERT).toBeGreaterThan(0);
  expect(report.eventSourceMapping.state).toBe('Enabled');
  expect(report.deadLetterQueue.visible).toEqual(expect.any(Number));
  const expected = verdictOf({
    tableItems: report.table.items,
    mirrorItems: report.opensearch.mirrorItems,
    deadLetters: report.opensearch.deadLetters,
    queueDepth: report.deadLetterQueue.visible,
    mappingState: report.eventSourceMapping.state,
    mappingLastResult: report.eventSourceMapping.lastResult,
  });
  expect(report.verdict).toEqual(expected);
  expect(exitCode).toBe({ healthy: 0, failing: 1, lagging: 2 }[expected.status as 'healthy' | 'failing' | 'lagging']);
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
