/**
 * `cdc backfill` on the real engines: items that were in the table before the mirror had them
 * are copied in while the stream keeps changing the same keys, and the mirror ends equal to a
 * Scan; a backfill killed half-way resumes from its checkpoint and writes no item twice.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BatchWriteItemCommand, CreateTableCommand, DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mirrorBackingIndex } from '../../lambda/settings/index-names';
import { dynamo, MIRROR, runPrefix, search, TABLE, waitFor } from '../support/live-system';
import { expectMirrorEqualsTable, planWorkload, runWorkload } from '../support/workload';
import { pipelineFlags } from '../support/cli-flags';
import { createTable, putItems as putTableItems } from '../support/private-table';

const client = dynamo();
const opensearch = search();
const CDC = path.join(__dirname, '..', '..', 'bin', 'cdc.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-backfill-'));

afterAll(async () => {
  fs.rmSync(work, { recursive: true, force: true });
  client.destroy();
  await opensearch.close();
});

/** Items written before the stream is enabled (or before a backfill). */
function putItems(dynamoClient: DynamoDBClient, table: string, ids: string[]): Promise<void> {
  return putTableItems(dynamoClient, table, ids, { version: { N: '0' }, payload: { S: 'before the stream' } });
}

/** Until the stream has mirrored `count` items of this prefix. */
async function waitForMirrored(prefix: string, count: number, timeoutMs: number): Promise<void> {
  await waitFor(
    `the stream to mirror the ${count} items`,
    async () => {
      await opensearch.indices.refresh({ index: MIRROR });
      const { body } = await opensearch.count({ index: MIRROR, body: { query: { prefix: { 'id.keyword': prefix } } } as never });
      return body.count === count ? true : undefined;
    },
    timeoutMs,
    500,
  );
}

function backfillArgs(...extra: string[]): string[] {
  return [CDC, '--local', 'backfill', '--json', ...extra];
}

it('copies 5,000 existing items into an emptied mirror while the stream changes the same keys, ending equal to a Scan', async () => {
  const prefix = runPrefix('backfill');
  const ids = Array.from({ length: 5000 }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);
  await putItems(client, TABLE, ids);
  await waitForMirrored(prefix, ids.length, 240_000);
  // The mirror loses them (as if it had been created after the items were written).
  await opensearch.deleteByQuery({
    index: mirrorBackingIndex(MIRROR),
    body: { query: { prefix: { 'id.keyword': prefix } } } as never,
    refresh: true,
    conflicts: 'proceed',
  } as never);

  const checkpoint = path.join(work, 'live.json');
  const running = spawn(process.execPath, backfillArgs('--checkpoint', checkpoint, '--page-size', '250'), { env: process.env });
  let output = '';
  let errors = '';
  running.stdout.on('data', (chunk) => (output += chunk));
  running.stderr.on('data', (chunk) => (errors += chunk));
  const finished = new Promise<number | null>((resolve) => running.once('exit', resolve));
  // Meanwhile puts, updates and deletes go on, on the first 200 keys (the workload's own keys).
  const perKey = planWorkload(prefix, 200, 600, 11).map((writes, k) => writes.map((write) => ({ ...write, key: ids[k] })));
  await runWorkload(client, perKey, 4);
  expect({ exit: await finished, errors, output: output.slice(0, 2000) }).toMatchObject({ exit: 0, errors: '' });
  const summary = JSON.parse(output);
  expect(summary).toMatchObject({ complete: true, failed: 0 });
  expect(summary.read).toBeGreaterThanOrEqual(4800);
  process.stdout.write(
    `[figures] backfill of the shared table: ${summary.read} items read in ${summary.seconds} s (${Math.round(summary.read / summary.seconds)} items/s), ${summary.written} written, ${summary.skipped} skipped\n`,
  );
  await expectMirrorEqualsTable(client, opensearch, prefix);
});

it('resumes a backfill killed half-way from its checkpoint, writing no item twice and missing none', async () => {
  const prefix = runPrefix('resume');
  const table = `${prefix}-table`;
  const names = { changeLog: `${prefix}-log`, mirror: `${prefix}-mirror`, deadLetter: `${prefix}-dl` };
  await createTable(client, table);
  try {
    const ids = Array.from({ length: 2000 }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);
    await putItems(client, table, ids);
    const target = pipelineFlags(table, names);
    const checkpoint = path.join(work, 'resume.json');
    const args = [
      CDC,
      '--local',
      ...target,
      'backfill',
      '--json',
      '--checkpoint',
      checkpoint,
      '--page-size',
      '50',
      '--segments',
      '2',
      '--change-log',
    ];

    const first = spawn(process.execPath, args, { env: process.env });
    const killed = new Promise((resolve) => first.once('exit', resolve));
    await waitFor(
      'the first run half-way',
      async () => {
        const read = fs.existsSync(checkpoint) ? (JSON.parse(fs.readFileSync(checkpoint, 'utf8')).counts.read as number) : 0;
        return read >= 400 ? true : undefined;
      },
      120_000,
      100,
    );
    first.kill('SIGKILL');
    await killed;
    const half = JSON.parse(fs.readFileSync(checkpoint, 'utf8')).counts.read as number;
    expect(half).toBeLessThan(ids.length);

    const second = spawnSync(process.execPath, args, { env: process.env, encoding: 'utf8', timeout: 240_000 });
    expect(second.stderr).toBe('');
    expect(second.status).toBe(0);
    const summary = JSON.parse(second.stdout);
    // Counts are kept across runs. The pages in flight at the kill were written but not yet in the
    // checkpoint: read again, they are skipped (the mirror has them), not written a second time.
    expect(summary).toMatchObject({ complete: true, failed: 0 });
    expect(summary.read).toBe(summary.written + summary.skipped);
    expect(summary.read).toBeGreaterThanOrEqual(ids.length);
    expect(summary.written).toBeLessThanOrEqual(ids.length);

    await opensearch.indices.refresh({ index: `${prefix}-*` });
    const mirrored = await opensearch.search({ index: names.mirror, body: { size: 10_000, version: true, _source: false } as never });
    const hits = mirrored.body.hits.hits as { _id: string; _version: number }[];
    expect(hits.map((hit) => hit._id).sort()).toEqual(ids);
    expect(hits.filter((hit) => hit._version !== 1)).toEqual([]);
    const snapshots = await opensearch.count({ index: names.changeLog, body: { query: { term: { event_name: 'SNAPSHOT' } } } as never });
    expect(snapshots.body.count).toBe(ids.length);
  } finally {
    await client.send(new DeleteTableCommand({ TableName: table }));
    await opensearch.indices.delete({ index: `${prefix}-*` });
  }
});

it('verifies the mirror against the table: a match exits 0; documents changed, removed or added behind its back are each named', async () => {
  const prefix = runPrefix('verify');
  const table = `${prefix}-table`;
  const names = { changeLog: `${prefix}-log`, mirror: `${prefix}-mirror`, deadLetter: `${prefix}-dl` };
  await createTable(client, table);
  try {
    const ids = Array.from({ length: 300 }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);
    await putItems(client, table, ids);
    // Exact numbers, sets and binary too.
    await client.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [table]: [
            {
              PutRequest: {
                Item: {
                  id: { S: ids[0] },
                  big: { N: '12345678901234567890123456789012345678' },
                  tags: { SS: ['b', 'a'] },
                  blob: { B: Buffer.from([0, 1, 255]) },
                  nested: { M: { list: { L: [{ N: '1.50' }, { S: 'x' }] } } },
                },
              },
            },
          ],
        },
      }),
    );
    // An item the AWS SDK for JavaScript cannot read whole: it returns `__proto__` without its value.
    await client.send(
      new BatchWriteItemCommand({
        RequestItems: { [table]: [{ PutRequest: { Item: JSON.parse(`{"id":{"S":"${prefix}-proto"},"__proto__":{"S":"x"}}`) } }] },
      }),
    );
    const target = pipelineFlags(table, names);
    const cdc = (...args: string[]) =>
      spawnSync(process.execPath, [CDC, '--local', ...target, ...args], { env: process.env, encoding: 'utf8', timeout: 120_000 });
    const filled = cdc('backfill', '--json', '--checkpoint', path.join(work, 'verify.json'));
    expect(filled.status).toBe(0);
    expect(JSON.parse(filled.stdout)).toMatchObject({ complete: true, written: 300, unreadable: 1, unreadableKeys: [`${prefix}-proto`] });

    // Not in the mirror (a backfill cannot copy it, and this table has no stream): said so, not hidden.
    const withProto = cdc('verify', '--json');
    expect(withProto.stderr).toBe('');
    expect(JSON.parse(withProto.stdout)).toMatchObject({
      checked: 301,
      missing: [`${prefix}-proto`],
      different: [],
      unreadable: [`${prefix}-proto`],
      matches: false,
    });
    expect(withProto.status).toBe(1);
    await client.send(
      new BatchWriteItemCommand({ RequestItems: { [table]: [{ DeleteRequest: { Key: { id: { S: `${prefix}-proto` } } } }] } }),
    );

    const matching = cdc('verify', '--json');
    expect(matching.stderr).toBe('');
    expect(JSON.parse(matching.stdout)).toMatchObject({
      checked: 300,
      mirrorDocuments: 300,
      missing: [],
      extra: [],
      different: [],
      unreadable: [],
      matches: true,
    });
    expect(matching.status).toBe(0);
    expect(cdc('verify').stdout).toContain('MATCH');

    // Behind the pipeline's back: one document changed (a number, by one digit), one removed, one added.
    const backing = mirrorBackingIndex(names.mirror);
    const raw = await (await fetch(`${process.env.OPENSEARCH_URL ?? 'http://localhost:9200'}/${backing}/_doc/${ids[0]}`)).text();
    const source = raw.slice(raw.indexOf('"_source":') + '"_source":'.length, raw.lastIndexOf('}'));
    await fetch(`${process.env.OPENSEARCH_URL ?? 'http://localhost:9200'}/${backing}/_doc/${ids[0]}?refresh=true`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: source.replace('12345678901234567890123456789012345678', '12345678901234567890123456789012345679'),
    });
    await opensearch.delete({ index: backing, id: ids[1], refresh: true });
    await opensearch.index({ index: backing, id: `${prefix}-stranger`, body: { id: `${prefix}-stranger` }, refresh: true });

    const drifted = cdc('verify', '--json');
    expect(drifted.status).toBe(1);
    expect(JSON.parse(drifted.stdout)).toMatchObject({
      missing: [ids[1]],
      extra: [`${prefix}-stranger`],
      different: [ids[0]],
      matches: false,
    });
    const human = cdc('verify').stdout;
    expect(human).toContain(`missing from the mirror: 1  (${ids[1]})`);
    expect(human).toContain(`different: 1  (${ids[0]})`);
    const sample = cdc('verify', '--sample', '50', '--json');
    expect(JSON.parse(sample.stdout)).toMatchObject({ sampled: true });
    expect(JSON.parse(sample.stdout).checked).toBeGreaterThanOrEqual(50);
    const wrongKey = spawnSync(
      process.execPath,
      [CDC, '--local', '--stack', `${prefix}-none`, ...target.map((flag) => (flag === 'id' ? 'pk' : flag)), 'verify'],
      { env: process.env, encoding: 'utf8', timeout: 120_000 },
    );
    expect(wrongKey.stderr).toContain(`--key-schema is not the key of table ${table}, which is "id"`);
    expect(cdc('verify', '--mirror-index', `${prefix}-nothing`).stderr).toContain(
      `the mirror "${prefix}-nothing" does not exist in OpenSearch`,
    );

    const repaired = cdc('verify', '--repair', '--json');
    expect(repaired.stderr).toBe('');
    expect(JSON.parse(repaired.stdout)).toMatchObject({
      matches: false,
      repair: { repaired: 3, failed: [], unreadable: [] },
      afterRepair: { missing: [], extra: [], different: [], matches: true },
    });
    expect(repaired.status).toBe(0);
    const again = cdc('verify', '--repair');
    expect(again.stdout).toContain('MATCH');
    expect(again.stdout).not.toContain('repaired');
    expect(again.status).toBe(0);
  } finally {
    await client.send(new DeleteTableCommand({ TableName: table }));
    await opensearch.indices.delete({ index: `${prefix}-*` });
  }
});

it('repairs documents changed, removed or added behind its back while the stream keeps changing other items, and the mirror ends equal to the table', async () => {
  const prefix = runPrefix('repair');
  const ids = Array.from({ length: 300 }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);
  await putItems(client, TABLE, ids);
  await waitForMirrored(prefix, ids.length, 120_000);
  // Drift on keys the writers below leave alone: 3 changed, 3 removed, 2 added.
  const backing = mirrorBackingIndex(MIRROR);
  for (const id of ids.slice(200, 203)) await opensearch.update({ index: backing, id, body: { doc: { payload: 'tampered' } } } as never);
  for (const id of ids.slice(203, 206)) await opensearch.delete({ index: backing, id });
  for (const id of [`${prefix}-stranger-1`, `${prefix}-stranger-2`])
    await opensearch.index({ index: backing, id, body: { id, payload: 'never in the table' } });
  await opensearch.indices.refresh({ index: backing });

  const running = spawn(process.execPath, [CDC, '--local', 'verify', '--repair', '--json'], { env: process.env });
  let output = '';
  let errors = '';
  running.stdout.on('data', (chunk) => (output += chunk));
  running.stderr.on('data', (chunk) => (errors += chunk));
  const finished = new Promise<number | null>((resolve) => running.once('exit', resolve));
  // Meanwhile puts, updates and deletes go on, through the stream, on the first 100 keys.
  const perKey = planWorkload(prefix, 100, 300, 7).map((writes, k) => writes.map((write) => ({ ...write, key: ids[k] })));
  await runWorkload(client, perKey, 4);
  const exit = await finished;
  expect(errors).toBe('');
  const report = JSON.parse(output);
  // Its own check after repairing may still see the writers' changes in flight: the exit status says so.
  expect({ exit, failed: report.repair.failed }).toMatchObject({ exit: report.afterRepair.matches ? 0 : 1, failed: [] });
  for (const id of [...ids.slice(200, 206), `${prefix}-stranger-1`, `${prefix}-stranger-2`]) {
    expect([...report.missing, ...report.different, ...report.extra]).toContain(id);
  }
  expect(report.repair.repaired).toBeGreaterThanOrEqual(8);
  await expectMirrorEqualsTable(client, opensearch, prefix);
});

it('repairs a mirror keyed by numbers and a sort key: extras (items deleted behind its back) and changed documents', async () => {
  const prefix = runPrefix('repairnk');
  const table = `${prefix}-table`;
  const names = { changeLog: `${prefix}-log`, mirror: `${prefix}-mirror`, deadLetter: `${prefix}-dl` };
  await client.send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'N' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  try {
    const keys = ['1.5', '12345678901234567890123456789012345678', '-7'].map((pk, i) => ({ pk: { N: pk }, sk: { S: `s|${i}` } }));
    await client.send(
      new BatchWriteItemCommand({
        RequestItems: { [table]: keys.map((key, i) => ({ PutRequest: { Item: { ...key, v: { N: String(i) } } } })) },
      }),
    );
    const target = pipelineFlags(table, names, { keySchema: 'pk,sk', stack: `${prefix}-none` });
    const cdc = (...args: string[]) =>
      spawnSync(process.execPath, [CDC, '--local', ...target, ...args], { env: process.env, encoding: 'utf8', timeout: 120_000 });
    expect(cdc('backfill', '--json', '--checkpoint', path.join(work, 'nk.json')).status).toBe(0);
    await client.send(
      new BatchWriteItemCommand({ RequestItems: { [table]: keys.slice(0, 2).map((key) => ({ DeleteRequest: { Key: key } })) } }),
    );
    await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: [{ PutRequest: { Item: { ...keys[2], v: { N: '99' } } } }] } }));

    const repaired = cdc('verify', '--repair', '--json');
    expect(repaired.stderr).toBe('');
    expect(JSON.parse(repaired.stdout)).toMatchObject({
      extra: expect.arrayContaining([expect.any(String), expect.any(String)]),
      different: [expect.any(String)],
      repair: { repaired: 3, failed: [] },
      afterRepair: { matches: true },
    });
    expect(repaired.status).toBe(0);
  } finally {
    await client.send(new DeleteTableCommand({ TableName: table }));
    await opensearch.indices.delete({ index: `${prefix}-*` });
  }
});
