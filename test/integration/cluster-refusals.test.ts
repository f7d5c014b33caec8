/**
 * What the pipeline and the maintenance do when the cluster refuses work that is not about any
 * document, on the real OpenSearch: a day's change-log partition it cannot create (its shard
 * limit), and tombstone deletes it does not do (a write block). Nothing is dead-lettered, nothing
 * is lost, and the maintenance fails visibly (it throws: the MaintenanceFailed metric; `cdc prune`
 * exits 1) saying why. Each test has indexes of its own (a run prefix).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import {
  ensureIndexes,
  MaintenanceFailure,
  OpenSearchPort,
  overTransport,
  runMaintenance,
  type MaintenanceSettings,
} from '../../lambda/adapters/opensearch';
import { applyChanges, type PipelineSettings } from '../../lambda/pipeline/apply-changes';
import { changeLogPartition } from '../../lambda/core/change-log-partitions';
import { MAINTENANCE_EVENT } from '../../lambda/settings/maintenance-event';
import type { IndexNames } from '../../lambda/settings/index-names';
import { functionFor, namesFor } from '../support/isolated-function';
import { endpoints, runPrefix, search } from '../support/live-system';
import { insertRecord, removeRecord } from '../support/stream-records';
import { pipelineFlags } from '../support/cli-flags';

const os = search();
/** The adapters' way to the same cluster. */
const transport = overTransport(os.transport);
const port = new OpenSearchPort(transport, 9 * 1024 * 1024);
const DAY = 86_400;
const nowSeconds = () => Math.floor(Date.now() / 1000);
const item = (id: string, name: string) => ({ id: { S: id }, name: { S: name } });

function maintenanceSettings(names: IndexNames): MaintenanceSettings {
  return {
    indexes: names,
    changeLogPartitioning: 'daily',
    changeLogRetentionDays: 0,
    tombstoneRetentionHours: 48,
    maxBulkBytes: 9 * 1024 * 1024,
  };
}

async function countOf(index: string): Promise<number> {
  await os.indices.refresh({ index, ignore_unavailable: true } as never);
  const response = await fetch(`${endpoints.openSearch}/${index}/_count`);
  return response.status === 404 ? 0 : ((await response.json()) as { count: number }).count;
}

async function indexExists(index: string): Promise<boolean> {
  return (await os.indices.exists({ index })).body as boolean;
}

async function deleteAll(prefix: string): Promise<void> {
  await os.indices.delete({ index: `${prefix}-*`, ignore_unavailable: true, expand_wildcards: 'all' } as never).catch(() => undefined);
}

/** The run's rejection, asserted to be a MaintenanceFailure. */
async function failedRun(run: Promise<unknown>): Promise<MaintenanceFailure> {
  const error = await run.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(MaintenanceFailure);
  return error as MaintenanceFailure;
}

/** What the function writes to stdout while `run` runs (its metrics, as EMF lines). */
async function stdoutOf(run: () => Promise<unknown>): Promise<string[]> {
  const written: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await run().catch(() => undefined);
  } finally {
    write.mockRestore();
  }
  return written;
}

/** The cluster's shard limit, held so low that no index can be created (transient: a restart forgets it). */
async function setShardLimit(perNode: number | null): Promise<void> {
  await os.cluster.putSettings({ body: { transient: { 'cluster.max_shards_per_node': perNode } } } as never);
}

describe('a day whose partition the cluster cannot create (its shard limit)', () => {
  const prefix = runPrefix('shardlimit');
  const names = namesFor(prefix);
  const settings: PipelineSettings = { indexes: names, keySchema: { partitionKey: 'id' }, changeLogPartitioning: 'daily' };
  const saved = { ...process.env };
  afterAll(async () => {
    process.env = saved;
    await setShardLimit(null);
    await deleteAll(prefix);
  });

  it('retries the changes of that day, dead-letters none, fails the maintenance naming the limit, and writes them once the limit is raised', async () => {
    await ensureIndexes(transport, { indexes: names, changeLogPartitioning: 'daily' });
    const day = nowSeconds() - 3 * DAY;
    const partition = changeLogPartition(names.changeLog, new Date(day * 1000));
    const tomorrow = changeLogPartition(names.changeLog, new Date(Date.now() + DAY * 1000));
    const records = [1, 2, 3].map((n) => insertRecord(item(`${prefix}-${n}`, 'x'), { sequenceNumber: n, at: day }));
    await setShardLimit(1);

    const refused = await applyChanges(records, settings, port);
    expect(refused.failures.map((failure) => failure.position)).toEqual([0, 1, 2]);
    expect(refused.failures[0].reason).toMatch(/maximum shards open.*raise cluster\.max_shards_per_node/);
    expect(refused).toMatchObject({ deadLettered: [], unindexed: 0, changeLogWritten: 0 });
    // The function reports them for retry too, and dead-letters nothing.
    const handler = functionFor(names);
    expect(((await handler({ Records: records })) as { batchItemFailures: unknown[] }).batchItemFailures).toHaveLength(3);
    expect(await countOf(names.deadLetter)).toBe(0);
    expect(await indexExists(partition)).toBe(false);

    // The maintenance cannot create tomorrow's partition: it throws, names the cause and what to do.
    const failure = await failedRun(runMaintenance(transport, maintenanceSettings(names)));
    expect(failure.message).toContain(`cannot create the change-log partition ${tomorrow} ahead`);
    expect(failure.message).toMatch(/maximum shards open.*raise cluster\.max_shards_per_node.*changeLogRetentionDays.*mirrorShards/);
    expect(failure.report.partitions).toMatchObject({ missing: [tomorrow], created: [] });
    // Through the function: the run fails and MaintenanceFailed is 1.
    const lines = await stdoutOf(() => handler(MAINTENANCE_EVENT));
    expect(lines.filter((line) => line.includes('"MaintenanceFailed"')).map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ MaintenanceFailed: 1 }),
    ]);

    await setShardLimit(null);
    const retried = await applyChanges(records, settings, port);
    expect(retried).toMatchObject({ failures: [], deadLettered: [], changeLogWritten: 3 });
    expect(await countOf(partition)).toBe(3);
    const report = await runMaintenance(transport, maintenanceSettings(names));
    expect(report.partitions).toMatchObject({ missing: [tomorrow], created: [tomorrow] });
    expect(report.problems).toEqual([]);
  });
});

describe('a tombstone purge whose deletes fail', () => {
  const prefix = runPrefix('purgefail');
  const names = namesFor(prefix);
  const tombstones = `${names.mirror}-tombstones`;
  afterAll(async () => {
    await os.indices.putSettings({ index: tombstones, body: { 'index.blocks.write': false } } as never).catch(() => undefined);
    await deleteAll(prefix);
  });

  function prune() {
    const target = pipelineFlags('test-table', names, { stack: `${prefix}-no-stack` });
    return spawnSync(process.execPath, [path.join(__dirname, '..', '..', 'bin', 'cdc.js'), '--local', ...target, 'prune'], {
      env: process.env,
      encoding: 'utf8',
      timeout: 120_000,
    });
  }

  it('fails the maintenance after the rest of its work, and cdc prune exits 1 naming the tombstone', async () => {
    await ensureIndexes(transport, { indexes: names, changeLogPartitioning: 'daily' });
    const old = nowSeconds() - 3 * DAY;
    const id = `${prefix}-gone`;
    await applyChanges(
      [insertRecord(item(id, 'x'), { sequenceNumber: 10, at: old }), removeRecord(item(id, 'x'), { sequenceNumber: 11, at: old })],
      { indexes: names, keySchema: { partitionKey: 'id' }, changeLogPartitioning: 'daily' },
      port,
    );
    await os.indices.putSettings({ index: tombstones, body: { 'index.blocks.write': true } } as never);
    await os.indices.refresh({ index: tombstones });

    const failure = await failedRun(runMaintenance(transport, maintenanceSettings(names)));
    expect(failure.report.tombstones).toMatchObject({ expired: 1, purged: 0, kept: 0, failed: 1 });
    expect(failure.report.tombstones.failures).toEqual([
      { index: tombstones, id, reason: expect.stringContaining('cluster_block_exception') },
    ]);
    // The rest was done: tomorrow's partition was created.
    expect(failure.report.partitions.created).toHaveLength(1);
    expect(failure.message).toContain('1 tombstone purge delete(s) failed');

    const run = prune();
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(`1 failed (kept; the next run tries again)`);
    expect(run.stdout).toContain(`could not delete ${tombstones}/${id}: cluster_block_exception`);
    expect(run.stderr).toContain('the maintenance could not do all its work: 1 tombstone purge delete(s) failed');

    await os.indices.putSettings({ index: tombstones, body: { 'index.blocks.write': false } } as never);
    const report = await runMaintenance(transport, maintenanceSettings(names));
    expect(report.tombstones).toMatchObject({ expired: 1, purged: 1, failed: 0 });
    expect(await countOf(tombstones)).toBe(0);
  });
});
