/**
 * The demo scenario end to end: put user-001, update its name, delete it; the change log holds
 * exactly the format's three documents in order, and the mirror follows the item, then is empty.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { DeleteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { CHANGE_LOG, changeLogFor, dynamo, MIRROR, search, TABLE, waitFor } from '../support/live-system';

const client = dynamo();
const opensearch = search();
const key = { id: { S: 'user-001' } };

afterAll(async () => {
  client.destroy();
  await opensearch.close();
});

async function newDocuments(seen: Set<string>, count: number) {
  return waitFor(`${count} new change-log documents for user-001`, async () => {
    const fresh = (await changeLogFor(opensearch, 'user-001')).filter((doc) => doc.keys.id.S === 'user-001' && !seen.has(doc.event_id));
    return fresh.length >= count ? fresh : undefined;
  });
}

async function mirrorCount(): Promise<number> {
  await opensearch.indices.refresh({ index: MIRROR });
  const response = await opensearch.count({ index: MIRROR, body: { query: { ids: { values: ['user-001'] } } } as never });
  return response.body.count;
}

let scenarioStart = '';

it('syncs INSERT, MODIFY and REMOVE of user-001 in the change-log document format', async () => {
  scenarioStart = new Date(Date.now() - 1000).toISOString();
  const seen = new Set((await changeLogFor(opensearch, 'user-001')).map((doc) => doc.event_id));

  await client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: 'user-001' }, name: { S: 'テストユーザー' } } }));
  const [insert] = await newDocuments(seen, 1);
  const mirrored = await waitFor('user-001 in the mirror', async () => {
    const response = await opensearch.search({ index: MIRROR, body: { query: { ids: { values: ['user-001'] } } } as never });
    return response.body.hits.hits[0]?._source;
  });
  expect(mirrored).toMatchObject({ id: 'user-001', name: 'テストユーザー' });

  await client.send(
    new UpdateItemCommand({
      TableName: TABLE,
      Key: key,
      UpdateExpression: 'SET #name = :name',
      ExpressionAttributeNames: { '#name': 'name' },
      ExpressionAttributeValues: { ':name': { S: '更新済みユーザー' } },
    }),
  );
  await newDocuments(seen, 2);
  await waitFor('the mirror to show the new name', async () => {
    const response = await opensearch.get({ index: MIRROR, id: 'user-001' });
    return (response.body._source as any)?.name === '更新済みユーザー' ? true : undefined;
  });

  await client.send(new DeleteItemCommand({ TableName: TABLE, Key: key }));
  const documents = await newDocuments(seen, 3);
  expect(documents).toHaveLength(3);

  const formatFields = ({ event_name, timestamp, keys, data, new_data, old_data, deleted_data }: Record<string, any>) =>
    JSON.parse(
      JSON.stringify({
        event_name,
        keys,
        data,
        new_data,
        old_data,
        deleted_data,
        timestampIsIso: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(timestamp),
      }),
    );
  expect(documents.map(formatFields)).toEqual([
    { event_name: 'INSERT', keys: key, data: { id: { S: 'user-001' }, name: { S: 'テストユーザー' } }, timestampIsIso: true },
    {
      event_name: 'MODIFY',
      keys: key,
      new_data: { id: { S: 'user-001' }, name: { S: '更新済みユーザー' } },
      old_data: { id: { S: 'user-001' }, name: { S: 'テストユーザー' } },
      timestampIsIso: true,
    },
    { event_name: 'REMOVE', keys: key, deleted_data: { id: { S: 'user-001' }, name: { S: '更新済みユーザー' } }, timestampIsIso: true },
  ]);
  expect(documents[0]).toEqual(insert);
  for (const document of documents) {
    expect(document).toMatchObject({ table_name: TABLE, event_id: expect.any(String), sequence_number: expect.stringMatching(/^\d+$/) });
  }

  await waitFor('the mirror to be empty of user-001', async () => ((await mirrorCount()) === 0 ? true : undefined));

  // The README's curl queries find these documents (newest first: other suites share the index).
  for (const eventName of ['INSERT', 'MODIFY', 'REMOVE']) {
    const response = await fetch(
      `${opensearch.connectionPool.connections[0].url.origin}/${CHANGE_LOG}/_search?q=event_name:${eventName}&sort=processed_at:desc&size=20`,
    );
    const body = (await response.json()) as { hits: { hits: { _id: string }[] } };
    expect(body.hits.hits.map((hit) => hit._id)).toContain(documents.find((doc) => doc.event_name === eventName)!.event_id);
  }
});

const SEED_CHANGES = [
  {
    event: 'INSERT',
    key: 'user-001',
    added: [
      { attribute: 'id', after: '"user-001"' },
      { attribute: 'name', after: '"テストユーザー"' },
    ],
    changed: [],
    removed: [],
  },
  {
    event: 'MODIFY',
    key: 'user-001',
    added: [],
    changed: [{ attribute: 'name', before: '"テストユーザー"', after: '"更新済みユーザー"' }],
    removed: [],
  },
  {
    event: 'REMOVE',
    key: 'user-001',
    added: [],
    changed: [],
    removed: [
      { attribute: 'id', before: '"user-001"' },
      { attribute: 'name', before: '"更新済みユーザー"' },
    ],
  },
];

function runCdc(args: string[], timeoutMs = 60_000) {
  return spawnSync(process.execPath, [path.join(__dirname, '..', '..', 'bin', 'cdc.js'), '--local', ...args], {
    encoding: 'utf8',
    env: process.env,
    timeout: timeoutMs,
  });
}

it('shows the scenario with `cdc history user-001`: the INSERT, the MODIFY as a diff, the REMOVE', () => {
  const json = runCdc(['history', 'user-001', '--json']);
  expect(json.stderr).toBe('');
  expect(json.status).toBe(0);
  const { changes } = JSON.parse(json.stdout) as { changes: { timestamp: string }[] };
  expect(changes.slice(-3).map(({ timestamp, ...change }) => change)).toEqual(SEED_CHANGES);
  const human = runCdc(['history', 'user-001']).stdout.split('\n');
  expect(human).toEqual(
    expect.arrayContaining(['    ~ name: "テストユーザー" → "更新済みユーザー"', '    - name = "更新済みユーザー"  (deleted)']),
  );
});

it('follows the scenario with `cdc tail --key user-001`, one line per change', async () => {
  // tail runs until stopped: give it time to print what was written since the scenario began.
  const tail = spawn(
    process.execPath,
    [
      path.join(__dirname, '..', '..', 'bin', 'cdc.js'),
      '--local',
      'tail',
      '--key',
      'user-001',
      '--since',
      scenarioStart,
      '--json',
      '--interval',
      '300',
    ],
    { env: process.env },
  );
  let output = '';
  tail.stdout.on('data', (chunk) => (output += chunk));
  const lines = await waitFor(
    'three lines from tail',
    async () => {
      const parsed = output.split('\n').filter((line) => line.trim() !== '');
      return parsed.length >= 3 ? parsed : undefined;
    },
    30_000,
  );
  const exited = new Promise((resolve) => tail.once('exit', resolve));
  tail.kill('SIGINT');
  expect(await exited).toBe(0);
  expect(lines.map((line) => JSON.parse(line)).map(({ timestamp, ...change }: { timestamp: string }) => change)).toEqual(SEED_CHANGES);
});
