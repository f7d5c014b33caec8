/**
 * The deployed pipeline (function written without reads) under what users do beside it: writes,
 * updates and deletes of a few hot keys, many in one second, while OpenSearch stalls (SIGSTOP and
 * SIGCONT of its process), a backfill and `verify --repair` run, and the mirror's index forgets
 * deletes after one second. After it settles: the mirror equals the table, the change log holds
 * every change exactly once.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { restartEngine } from '../../local/runner';
import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { dynamo, mirrorFor, putDeadLetter, runPrefix, search, TABLE, waitFor } from '../support/live-system';
import { insertRecord } from '../support/stream-records';
import { expectEveryChangeExactlyOnce, expectMirrorEqualsTable, planWorkload, runWorkload } from '../support/workload';

const client = dynamo();
const opensearch = search();
const root = path.join(__dirname, '..', '..');

afterAll(async () => {
  client.destroy();
  await opensearch.close();
});

function openSearchPid(): number {
  const engines = JSON.parse(fs.readFileSync(path.join(root, '.local', 'run', 'engines.json'), 'utf8')) as {
    engines: { name: string; pid: number }[];
  };
  return engines.engines.find((engine) => engine.name === 'opensearch')!.pid;
}

function runCdc(...args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'bin', 'cdc.js'), '--local', ...args], { env: process.env });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => resolve({ code, output }));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const STALL_MS = Number(process.env.ATTACK_STALL_MS ?? 8000);
const WRITES = Number(process.env.ATTACK_WRITES ?? 120);

it('hot keys while OpenSearch stalls, a backfill and a repair run, and deletes are forgotten after 1 s', async () => {
  await opensearch.indices.putSettings({ index: 'test-table-v1', body: { index: { gc_deletes: process.env.ATTACK_GC ?? '1s' } } } as never);
  const prefix = runPrefix('hot');
  const perKey = planWorkload(prefix, 6, WRITES, 7);
  const beside: Promise<unknown>[] = [];
  const log: string[] = [];
  await runWorkload(client, perKey, 3, (done) => {
    if (done === 20) {
      const pid = openSearchPid();
      process.kill(pid, 'SIGSTOP');
      beside.push(sleep(STALL_MS).then(() => process.kill(pid, 'SIGCONT')));
    }
    if (done === 50)
      beside.push(runCdc('backfill', '--restart', '--json').then((r) => log.push(`backfill ${r.code}: ${r.output.slice(-400)}`)));
    if (done === Math.floor(WRITES * 0.6))
      beside.push(runCdc('backfill', '--restart', '--json').then((r) => log.push(`backfill 2 ${r.code}: ${r.output.slice(-400)}`)));
    if (done === 80) beside.push(runCdc('verify', '--repair').then((r) => log.push(`repair ${r.code}: ${r.output.slice(-600)}`)));
  });
  await Promise.all(beside);
  console.log(log.join('\n'));
  await expectEveryChangeExactlyOnce(opensearch, prefix, perKey, 300_000);
  await expectMirrorEqualsTable(client, opensearch, prefix);
});

it('hot keys while OpenSearch is stopped and started again mid-stream (its remembered deletes gone with it)', async () => {
  await opensearch.indices.putSettings({ index: 'test-table-v1', body: { index: { gc_deletes: '1s' } } } as never);
  const prefix = runPrefix('restart');
  const perKey = planWorkload(prefix, 5, WRITES, 11);
  const beside: Promise<unknown>[] = [];
  await runWorkload(client, perKey, 3, (done) => {
    if (done === 30) beside.push(restartEngine('opensearch', 3000, (line) => process.stdout.write(`[fault] ${line}\n`)));
  });
  await Promise.all(beside);
  await expectEveryChangeExactlyOnce(opensearch, prefix, perKey, 300_000);
  await expectMirrorEqualsTable(client, opensearch, prefix);
});

it('a backfill killed half-way, resumed, and run again while the same keys are updated and deleted', async () => {
  await opensearch.indices.putSettings({ index: 'test-table-v1', body: { index: { gc_deletes: '0s' } } } as never);
  const prefix = runPrefix('bfrace');
  const ids = Array.from({ length: 150 }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);
  for (const id of ids) await client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: id }, v: { N: '0' } } }));
  // Items from before the stream: the mirror has not seen them.
  await waitFor('the items mirrored', async () =>
    Object.keys(await mirrorFor(opensearch, prefix)).length === ids.length ? true : undefined,
  );
  await opensearch.deleteByQuery({ index: 'test-table-v1', body: { query: { prefix: { 'id.keyword': prefix } } }, refresh: true } as never);
  const checkpoint = path.join(root, '.local', `${prefix}-checkpoint.json`);
  const backfillArgs = [path.join(root, 'bin', 'cdc.js'), '--local', 'backfill', '--json', '--checkpoint', checkpoint, '--page-size', '5'];
  const first = spawn(process.execPath, backfillArgs, { env: process.env });
  const exited = new Promise((resolve) => first.once('exit', resolve));
  const writing = (async () => {
    const next = (() => {
      let state = 99;
      return () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
    })();
    for (let n = 0; n < 300; n++) {
      const id = ids[Math.floor(next() * 20)]; // a few hot keys among them
      const roll = next();
      if (roll < 0.3) await client.send(new DeleteItemCommand({ TableName: TABLE, Key: { id: { S: id } } }));
      else await client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: id }, v: { N: String(n + 1) } } }));
    }
  })();
  await sleep(1500);
  first.kill('SIGKILL');
  await exited;
  const resumed = await runCdc('backfill', '--json', '--checkpoint', checkpoint, '--page-size', '5');
  const again = await runCdc('backfill', '--json', '--restart', '--checkpoint', checkpoint, '--page-size', '7');
  await writing;
  console.log(`resumed ${resumed.code}: ${resumed.output.slice(-300)}\nagain ${again.code}: ${again.output.slice(-300)}`);
  fs.rmSync(checkpoint, { force: true });
  await expectMirrorEqualsTable(client, opensearch, prefix);
});

it('re-drives dead letters of old changes beside the stream: nothing newer is overwritten, nothing deleted comes back', async () => {
  await opensearch.indices.putSettings({ index: 'test-table-v1', body: { index: { gc_deletes: '0s' } } } as never);
  const prefix = runPrefix('letters');
  const changed = `${prefix}-changed`;
  const deleted = `${prefix}-deleted`;
  await client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: changed }, n: { N: '1' } } }));
  await client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: changed }, n: { N: '2' } } }));
  await client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: deleted }, n: { N: '1' } } }));
  await client.send(new DeleteItemCommand({ TableName: TABLE, Key: { id: { S: deleted } } }));
  await waitFor('the stream applied', async () => {
    const mirrored = await mirrorFor(opensearch, prefix);
    return Object.keys(mirrored).length === 1 && mirrored[changed]?.n === 2 ? true : undefined;
  });
  await sleep(1500); // the engine has forgotten the delete
  // Changes refused a minute ago, older than what the stream wrote since (lower sequence numbers).
  const minuteAgo = Math.floor(Date.now() / 1000) - 60;
  for (const [i, id] of [changed, deleted].entries()) {
    const record = insertRecord({ id: { S: id }, n: { N: '1' } }, { sequenceNumber: 1 + i, at: minuteAgo, eventId: `${prefix}-e${i}` });
    await putDeadLetter(opensearch, `${prefix}-${i}`, record, { origin: 'stream' });
  }
  const redrive = await runCdc('redrive', '--no-queue-redrive');
  console.log(redrive.output);
  expect(redrive.code).toBe(0);
  await expectMirrorEqualsTable(client, opensearch, prefix);
});
