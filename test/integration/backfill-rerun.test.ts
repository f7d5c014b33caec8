/**
 * `cdc backfill` run again and again on the real engines, as an operator would: a finished backfill
 * is never resumed (a second run copies the table again into an emptied mirror, and a run after
 * items were added copies them too); a run stopped with Ctrl-C resumes, says so, and keeps its
 * own segment count (another count is refused, --restart starts over); a checkpoint whose table
 * was deleted and created again is not resumed.
 * `cdc verify` has the last word each time.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { mirrorBackingIndex } from '../../lambda/settings/index-names';
import { dynamo, runPrefix, search, waitFor } from '../support/live-system';
import { createTable, putItems as putTableItems } from '../support/private-table';

const client = dynamo();
const opensearch = search();
const CDC = path.join(__dirname, '..', '..', 'bin', 'cdc.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-backfill-rerun-'));

afterAll(async () => {
  fs.rmSync(work, { recursive: true, force: true });
  client.destroy();
  await opensearch.close();
});

/** A table of its own (no stream: only backfill writes its mirror), its indexes, and the CLI pointed at them. */
function privateTarget(name: string) {
  const prefix = runPrefix(name);
  const table = `${prefix}-table`;
  const mirror = `${prefix}-mirror`;
  const checkpoint = path.join(work, `${name}.json`);
  const flags = ['--stack', `${prefix}-none`, '--table', table, '--key-schema', 'id', '--mirror-index', mirror];
  const indexes = ['--change-log-index', `${prefix}-log`, '--dead-letter-index', `${prefix}-dl`];
  const cdc = (...args: string[]): SpawnSyncReturns<string> =>
    spawnSync(process.execPath, [CDC, '--local', ...flags, ...indexes, ...args], { env: process.env, encoding: 'utf8', timeout: 240_000 });
  const backfillArgs = (...extra: string[]) => [CDC, '--local', ...flags, ...indexes, 'backfill', '--checkpoint', checkpoint, ...extra];
  return {
    prefix,
    table,
    mirror,
    checkpoint,
    cdc,
    backfill: (...extra: string[]) => cdc('backfill', '--checkpoint', checkpoint, ...extra),
    backfillArgs,
    create: () => createTable(client, table),
    remove: async () => {
      await client.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
      await opensearch.indices.delete({ index: `${prefix}-*` });
    },
  };
}

function putItems(table: string, ids: string[]): Promise<void> {
  return putTableItems(client, table, ids, { payload: { S: 'x'.repeat(200) } });
}

const idsOf = (prefix: string, from: number, count: number) =>
  Array.from({ length: count }, (_, i) => `${prefix}-${String(from + i).padStart(5, '0')}`);

/** The summary of a `--json` run, with its exit status and what it said on stderr. */
function summaryOf(run: SpawnSyncReturns<string>) {
  return { exit: run.status, stderr: run.stderr, ...(run.stdout.trim().startsWith('{') ? JSON.parse(run.stdout) : { stdout: run.stdout }) };
}

function expectVerifyMatch(target: ReturnType<typeof privateTarget>, items: number): void {
  const verified = target.cdc('verify', '--json');
  const report = verified.stdout.trim().startsWith('{') ? JSON.parse(verified.stdout) : {};
  expect({
    exit: verified.status,
    stderr: verified.stderr,
    checked: report.checked,
    missing: report.missing?.length,
    extra: report.extra?.length,
    different: report.different?.length,
  }).toEqual({ exit: 0, stderr: '', checked: items, missing: 0, extra: 0, different: 0 });
}

/** Starts a backfill and stops it with SIGINT (Ctrl-C) once its checkpoint has `read` items; its exit status and output. */
async function interruptedBackfill(target: ReturnType<typeof privateTarget>, read: number, ...extra: string[]) {
  const running = spawn(process.execPath, target.backfillArgs(...extra), { env: process.env });
  let stderr = '';
  let stdout = '';
  running.stderr.on('data', (chunk) => (stderr += chunk));
  running.stdout.on('data', (chunk) => (stdout += chunk));
  const exited = new Promise<number | null>((resolve) => running.once('exit', resolve));
  await waitFor(
    `the backfill to read ${read} items`,
    async () => {
      const checkpoint = fs.existsSync(target.checkpoint) ? JSON.parse(fs.readFileSync(target.checkpoint, 'utf8')) : undefined;
      return checkpoint && !checkpoint.finishedAt && checkpoint.counts.read >= read ? true : undefined;
    },
    120_000,
    50,
  );
  running.kill('SIGINT');
  return { exit: await exited, stderr, stdout, checkpoint: JSON.parse(fs.readFileSync(target.checkpoint, 'utf8')) };
}

it('copies the table again on every run after a finished one: into an emptied mirror, a deleted mirror, and after items were added', async () => {
  const target = privateTarget('rerun');
  await target.create();
  try {
    const first = idsOf(target.prefix, 0, 1500);
    await putItems(target.table, first);
    expect(summaryOf(target.backfill('--json'))).toMatchObject({ exit: 0, stderr: '', complete: true, written: 1500 });
    expectVerifyMatch(target, 1500);

    // The mirror loses its documents: a second run must copy every item again, not "resume" the finished run.
    await opensearch.deleteByQuery({
      index: mirrorBackingIndex(target.mirror),
      body: { query: { match_all: {} } },
      refresh: true,
      conflicts: 'proceed',
    } as never);
    const second = target.backfill();
    expect(second.status).toBe(0);
    expectVerifyMatch(target, 1500);
    expect(second.stdout).toContain('read 1500, written 1500, skipped 0');
    expect(second.stderr).toContain(`the backfill in ${target.checkpoint} (started `);
    expect(second.stderr).toContain('finished at ');
    expect(second.stderr).toContain(': this one starts from the beginning');

    // The mirror index itself is deleted: the backfill puts it back and fills it.
    await opensearch.indices.delete({ index: mirrorBackingIndex(target.mirror) });
    expect(summaryOf(target.backfill('--json'))).toMatchObject({ exit: 0, complete: true, resumed: false, read: 1500, written: 1500 });
    expectVerifyMatch(target, 1500);

    // Items added since: read with the rest, and written.
    await putItems(target.table, idsOf(target.prefix, 1500, 400));
    expect(summaryOf(target.backfill('--json'))).toMatchObject({ exit: 0, complete: true, read: 1900, written: 400, skipped: 1500 });
    expectVerifyMatch(target, 1900);
  } finally {
    await target.remove();
  }
});

it('resumes a backfill stopped with Ctrl-C in its own segment count (without --segments), and says so', async () => {
  const target = privateTarget('ctrlc');
  await target.create();
  try {
    await putItems(target.table, idsOf(target.prefix, 0, 3000));
    const stopped = await interruptedBackfill(target, 600, '--page-size', '50', '--segments', '3');
    expect(stopped.stderr).toContain('stopping after the pages in flight; run the same command again to resume');
    expect(stopped.stdout).toContain('not complete: run again to resume');
    expect(stopped.exit).toBe(130);
    const readBefore = stopped.checkpoint.counts.read as number;
    expect(readBefore).toBeLessThan(3000);

    // Without --segments the table's size would give 4: resumed in its 3, and said so.
    const resumed = target.backfill();
    expect({ exit: resumed.status, stderr: resumed.stderr }).toMatchObject({ exit: 0, stderr: expect.stringContaining('3 segment(s)') });
    expect(resumed.stderr).toContain(
      `resuming the interrupted backfill in ${target.checkpoint}, started ${stopped.checkpoint.startedAt}: ${readBefore} item(s) read, `,
    );
    expect(resumed.stderr).toContain('(--restart starts over)');
    // Pages in flight at the stop were recorded before it ended: none is read twice.
    expect(resumed.stdout).toContain('read 3000, written 3000, skipped 0');
    expectVerifyMatch(target, 3000);
  } finally {
    await target.remove();
  }
});

it('refuses to resume a stopped backfill in another segment count, leaving its checkpoint, and starts over with --restart', async () => {
  const target = privateTarget('segments');
  await target.create();
  try {
    await putItems(target.table, idsOf(target.prefix, 0, 2000));
    const stopped = await interruptedBackfill(target, 400, '--page-size', '50', '--segments', '3');
    expect(stopped.exit).toBe(130);

    const otherCount = target.backfill('--segments', '5');
    expect(otherCount.stderr).toContain(
      `the interrupted backfill in ${target.checkpoint} scans in 3 segment(s), and a Scan cannot go on in another count: ` +
        'leave out --segments to resume it, or add --restart to start over in 5 segment(s)',
    );
    expect(otherCount.status).toBe(1);
    expect(JSON.parse(fs.readFileSync(target.checkpoint, 'utf8'))).toEqual(stopped.checkpoint);

    const restarted = summaryOf(target.backfill('--segments', '5', '--restart', '--json'));
    expect(restarted).toMatchObject({ exit: 0, complete: true, resumed: false, read: 2000 });
    expect(JSON.parse(fs.readFileSync(target.checkpoint, 'utf8')).segments).toHaveLength(5);
    expectVerifyMatch(target, 2000);
  } finally {
    await target.remove();
  }
});

it('does not resume a checkpoint whose table was deleted and created again: it starts over and copies every item of the new table', async () => {
  const target = privateTarget('recreated');
  await target.create();
  try {
    await putItems(target.table, idsOf(target.prefix, 0, 2000));
    const stopped = await interruptedBackfill(target, 500, '--page-size', '50');
    expect(stopped.exit).toBe(130);

    await client.send(new DeleteTableCommand({ TableName: target.table }));
    await createTable(client, target.table);
    const renewed = idsOf(target.prefix, 5000, 1200);
    await putItems(target.table, renewed);
    const again = target.backfill();
    expect(again.stdout).toContain('read 1200, written 1200');
    expect(again.status).toBe(0);
    expect(again.stderr).toContain(
      `the interrupted backfill in ${target.checkpoint} (started ${stopped.checkpoint.startedAt}) is not resumed: `,
    );
    expect(again.stderr).toContain(`the table ${target.table} was deleted and created again since`);

    // Every item of the new table is in the mirror; what the old table left there is for verify --repair.
    const verified = JSON.parse(target.cdc('verify', '--json').stdout);
    expect(verified).toMatchObject({ checked: 1200, missing: [], different: [] });
    expect(summaryOf(target.cdc('verify', '--repair', '--json'))).toMatchObject({ exit: 0, afterRepair: { matches: true } });
  } finally {
    await target.remove();
  }
});
