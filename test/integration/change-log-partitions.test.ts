/**
 * The change log's daily partitions on the real OpenSearch: where documents land, duplicates across
 * deliveries, the alias answering the README's queries, retention (the maintenance event through the
 * handler, and `cdc prune`), the safe tombstone purge, and the upgrade from one concrete index.
 * Each test has indexes of its own (a run prefix), so the deployed pipeline's are never touched.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { ensureIndexes, OpenSearchPort, overTransport } from '../../lambda/adapters/opensearch';
import { applyChanges, type PipelineSettings } from '../../lambda/pipeline/apply-changes';
import { changeLogPartition } from '../../lambda/core/change-log-partitions';
import { MAINTENANCE_EVENT } from '../../lambda/settings/maintenance-event';
import { functionFor, namesFor } from '../support/isolated-function';
import { endpoints, runPrefix, search } from '../support/live-system';
import { insertRecord, modifyRecord, removeRecord } from '../support/stream-records';
import { pipelineFlags } from '../support/cli-flags';

const os = search();
/** The adapters' way to the same cluster. */
const transport = overTransport(os.transport);
const port = new OpenSearchPort(transport, 9 * 1024 * 1024);
const DAY = 86_400;
const nowSeconds = () => Math.floor(Date.now() / 1000);
const item = (id: string, name: string) => ({ id: { S: id }, name: { S: name } });

async function indexesLike(pattern: string): Promise<string[]> {
  const response = await os.cat.indices({ index: pattern, format: 'json', h: 'index' } as never);
  return ((response.body ?? []) as { index: string }[]).map((row) => row.index).sort();
}

async function countOf(index: string, q?: string): Promise<number> {
  await os.indices.refresh({ index });
  const response = await fetch(`${endpoints.openSearch}/${index}/_count${q ? `?q=${encodeURIComponent(q)}` : ''}`);
  return ((await response.json()) as { count: number }).count;
}

async function deleteAll(prefix: string): Promise<void> {
  await os.indices.delete({ index: `${prefix}-*`, ignore_unavailable: true, expand_wildcards: 'all' } as never).catch(() => undefined);
}

afterAll(() => os.close());

describe('daily change-log partitions', () => {
  const prefix = runPrefix('partitions');
  const names = namesFor(prefix);
  const settings: PipelineSettings = { indexes: names, keySchema: { partitionKey: 'id' }, changeLogPartitioning: 'daily' };
  afterAll(() => deleteAll(prefix));

  it('writes each change to the partition of its creation day, all answered under the change log name', async () => {
    const layout = await ensureIndexes(transport, { indexes: names, changeLogPartitioning: 'daily', mirrorShards: 2 });
    expect(layout).toEqual({ partitioning: 'daily' });
    const midnight = Math.floor(nowSeconds() / DAY) * DAY;
    const batch = [
      insertRecord(item(`${prefix}-a`, 'テストユーザー'), { sequenceNumber: 1, at: midnight - 2 * DAY - 1 }),
      modifyRecord(item(`${prefix}-a`, 'テストユーザー'), item(`${prefix}-a`, '更新済みユーザー'), {
        sequenceNumber: 2,
        at: midnight - 2 * DAY,
      }),
      removeRecord(item(`${prefix}-a`, '更新済みユーザー'), { sequenceNumber: 3, at: midnight + 1 }),
    ];
    const written = await applyChanges(batch, settings, port);
    expect(written).toMatchObject({ failures: [], deadLettered: [], changeLogWritten: 3 });

    const day = (seconds: number) => changeLogPartition(names.changeLog, new Date(seconds * 1000));
    expect(await indexesLike(`${names.changeLog}-*.*.*`)).toEqual([day(midnight - 3 * DAY), day(midnight - 2 * DAY), day(midnight)]);
    for (const [at, event] of [
      [midnight - 2 * DAY - 1, 'INSERT'],
      [midnight - 2 * DAY, 'MODIFY'],
      [midnight + 1, 'REMOVE'],
    ] as const) {
      expect(await countOf(day(at), `event_name:${event}`)).toBe(1);
    }
    // The README's queries, on the change log's name (the alias).
    expect(await countOf(names.changeLog)).toBe(3);
    expect(await countOf(names.changeLog, 'event_name:INSERT')).toBe(1);
    expect(await countOf(names.changeLog, `keys.id.S:${prefix}-a`)).toBe(3);
    // A partition made by its first write has the change log's mapping, and the mirror its shards.
    const mapping = (await os.indices.getMapping({ index: day(midnight - 3 * DAY) })).body as Record<string, any>;
    expect(mapping[day(midnight - 3 * DAY)].mappings.properties.keys.type).toBe('flat_object');
    const mirrorSettings = (await os.indices.getSettings({ index: `${names.mirror}-v1` })).body as Record<string, any>;
    expect(mirrorSettings[`${names.mirror}-v1`].settings.index.number_of_shards).toBe('2');

    const again = await applyChanges(batch, settings, port);
    expect(again).toMatchObject({ failures: [], duplicates: 3, changeLogWritten: 0 });
    expect(await countOf(names.changeLog)).toBe(3);
  });
});

describe('retention of partitions: the maintenance event', () => {
  const prefix = runPrefix('retention');
  const names = namesFor(prefix);
  const saved = { ...process.env };
  afterAll(async () => {
    process.env = saved;
    await deleteAll(prefix);
  });

  it('deletes the partitions past the retention and nothing else', async () => {
    await ensureIndexes(transport, { indexes: names, changeLogPartitioning: 'daily' });
    const now = nowSeconds();
    const ages = [0, 1, 2, 3, 10];
    await applyChanges(
      ages.map((age, i) => insertRecord(item(`${prefix}-${age}`, 'x'), { sequenceNumber: i + 1, at: now - age * DAY })),
      { indexes: names, keySchema: { partitionKey: 'id' }, changeLogPartitioning: 'daily' },
      port,
    );
    await os.indices.create({ index: `${names.changeLog}-archive` });
    const partition = (age: number) => changeLogPartition(names.changeLog, new Date((now - age * DAY) * 1000));

    const handler = functionFor(names, { CHANGE_LOG_RETENTION_DAYS: '2' });
    const report = (await handler(MAINTENANCE_EVENT)) as Record<string, any>;
    expect(report.partitions.deleted).toEqual([partition(10), partition(3)]);
    // Tomorrow's partition is created a day ahead.
    expect(report.partitions.created).toEqual([partition(-1)]);
    expect(await indexesLike(`${names.changeLog}*`)).toEqual(
      [names.changeLog + '-archive', names.deadLetter, partition(2), partition(1), partition(0), partition(-1)].sort(),
    );
    expect(await countOf(names.changeLog)).toBe(3);
  });
});

describe('purging tombstones: cdc prune', () => {
  const prefix = runPrefix('purge');
  const names = namesFor(prefix);
  afterAll(() => deleteAll(prefix));

  function prune(...flags: string[]) {
    const target = pipelineFlags('test-table', names, { stack: `${prefix}-no-stack` });
    const run = spawnSync(process.execPath, [path.join(__dirname, '..', '..', 'bin', 'cdc.js'), '--local', ...target, 'prune', ...flags], {
      env: process.env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (run.status !== 0) throw new Error(`cdc prune exited ${run.status}: ${run.stderr}`);
    return run.stdout;
  }

  it('purges only tombstones past their retention, finishing a half-done delete first', async () => {
    await ensureIndexes(transport, { indexes: names, changeLogPartitioning: 'daily' });
    const settings = { indexes: names, keySchema: { partitionKey: 'id' }, changeLogPartitioning: 'daily' } as const;
    const old = nowSeconds() - 3 * DAY;
    await applyChanges(
      [
        insertRecord(item(`${prefix}-old`, 'x'), { sequenceNumber: 10, at: old }),
        removeRecord(item(`${prefix}-old`, 'x'), { sequenceNumber: 11, at: old }),
        insertRecord(item(`${prefix}-half`, 'x'), { sequenceNumber: 20, at: old }),
        insertRecord(item(`${prefix}-new`, 'x'), { sequenceNumber: 30 }),
        removeRecord(item(`${prefix}-new`, 'x'), { sequenceNumber: 31, at: nowSeconds() }),
      ],
      settings,
      port,
    );
    // A delete left half done: the tombstone of `half` recorded, its mirror document still there.
    const tombstones = `${names.mirror}-tombstones`;
    await os.index({
      index: tombstones,
      id: `${prefix}-half`,
      body: { _cdc: { sequence_number: '000000000000000000021', timestamp: new Date(old * 1000).toISOString() } },
      refresh: true,
    });
    await os.indices.refresh({ index: tombstones });

    const dry = JSON.parse(prune('--dry-run', '--json'));
    expect(dry.tombstones).toMatchObject({ expired: 2, purged: 2, finishedDeletes: 1 });
    expect(await countOf(tombstones)).toBe(3);

    const human = prune();
    expect(human).toContain('tombstones older than 48 h');
    expect(human).toContain('after finishing 1 half-done delete(s) in the mirror');
    await os.indices.refresh({ index: `${tombstones},${names.mirror}` });
    const left = (
      (await os.search({ index: tombstones, body: { query: { match_all: {} } } as never })).body.hits.hits as { _id: string }[]
    ).map((hit) => hit._id);
    expect(left).toEqual([`${prefix}-new`]);
    expect(await countOf(names.mirror)).toBe(0);
  });
});

describe('upgrading from one concrete change-log index', () => {
  const prefix = runPrefix('upgrade');
  const names = namesFor(prefix);
  const settings = (partitioning: 'daily' | 'none'): PipelineSettings => ({
    indexes: names,
    keySchema: { partitionKey: 'id' },
    changeLogPartitioning: partitioning,
  });
  afterAll(() => deleteAll(prefix));

  it('keeps writing the old index with a warning, and partitions after the migration the warning gives', async () => {
    await ensureIndexes(transport, { indexes: names, changeLogPartitioning: 'none' });
    await applyChanges([insertRecord(item(`${prefix}-1`, 'x'), { sequenceNumber: 1 })], settings('none'), port);

    const layout = await ensureIndexes(transport, { indexes: names, changeLogPartitioning: 'daily' });
    expect(layout.partitioning).toBe('none');
    expect(layout.warning).toContain(`the change log "${names.changeLog}" is one index`);
    await applyChanges([insertRecord(item(`${prefix}-2`, 'x'), { sequenceNumber: 2 })], settings(layout.partitioning), port);
    expect(await indexesLike(`${names.changeLog}-*.*.*`)).toEqual([]);
    expect(await countOf(names.changeLog)).toBe(2);

    // The migration, as the warning says it.
    await os.indices.addBlock({ index: names.changeLog, block: 'write' } as never);
    await os.indices.clone({ index: names.changeLog, target: `${names.changeLog}-archive` });
    await os.indices.delete({ index: names.changeLog });
    await os.indices.updateAliases({ body: { actions: [{ add: { index: `${names.changeLog}-archive`, alias: names.changeLog } }] } });

    expect(await ensureIndexes(transport, { indexes: names, changeLogPartitioning: 'daily' })).toEqual({ partitioning: 'daily' });
    const third = await applyChanges([insertRecord(item(`${prefix}-3`, 'x'), { sequenceNumber: 3 })], settings('daily'), port);
    expect(third).toMatchObject({ failures: [], changeLogWritten: 1 });
    expect(await countOf(names.changeLog)).toBe(3);
    expect(await countOf(names.changeLog, `keys.id.S:${prefix}-1`)).toBe(1);
  });
});

describe('a warm function across the migration to partitions', () => {
  const prefix = runPrefix('warm');
  const names = namesFor(prefix);
  const saved = { ...process.env };
  afterAll(async () => {
    process.env = saved;
    await deleteAll(prefix);
  });

  it('sets its indexes up again when a write fails because they changed under it, and the retried batch is written', async () => {
    await ensureIndexes(transport, { indexes: names, changeLogPartitioning: 'none' });
    const handler = functionFor(names);
    const batch = (n: number) => ({ Records: [insertRecord(item(`${prefix}-${n}`, 'x'), { sequenceNumber: n, at: nowSeconds() })] });
    expect(await handler(batch(1))).toEqual({ batchItemFailures: [] });

    // The migration the warning gives, while the container stays warm.
    await os.indices.addBlock({ index: names.changeLog, block: 'write' } as never);
    await os.indices.clone({ index: names.changeLog, target: `${names.changeLog}-archive` });
    await os.indices.delete({ index: names.changeLog });
    await os.indices.updateAliases({ body: { actions: [{ add: { index: `${names.changeLog}-archive`, alias: names.changeLog } }] } });

    const first = (await handler(batch(2))) as { batchItemFailures: unknown[] };
    expect(first.batchItemFailures).toHaveLength(1);
    // The event source retries the record: the container has set the partitions up meanwhile.
    expect(await handler(batch(2))).toEqual({ batchItemFailures: [] });
    expect(await indexesLike(`${names.changeLog}-*.*.*`)).toEqual([changeLogPartition(names.changeLog, new Date())]);
    expect(await countOf(names.changeLog)).toBe(2);
  });
});

describe('a cluster that creates no index by itself', () => {
  const prefix = runPrefix('noauto');
  const names = namesFor(prefix);
  const saved = { ...process.env };
  afterAll(async () => {
    process.env = saved;
    await os.cluster.putSettings({ body: { persistent: { 'action.auto_create_index': null } } } as never);
    await deleteAll(prefix);
  });

  it("creates the partition of a late record's day before the event source retries it", async () => {
    // Only this test's partitions are kept from being created by a write.
    await os.cluster.putSettings({ body: { persistent: { 'action.auto_create_index': `-${names.changeLog}-*,+*` } } } as never);
    const handler = functionFor(names);
    const twoDaysAgo = nowSeconds() - 2 * DAY;
    const late = { Records: [insertRecord(item(`${prefix}-late`, 'x'), { sequenceNumber: 1, at: twoDaysAgo, eventId: `${prefix}-late` })] };
    const first = (await handler(late)) as { batchItemFailures: unknown[] };
    expect(first.batchItemFailures).toHaveLength(1);
    expect(await handler(late)).toEqual({ batchItemFailures: [] });
    expect(await indexesLike(`${names.changeLog}-*.*.*`)).toEqual(
      [changeLogPartition(names.changeLog, new Date(twoDaysAgo * 1000)), changeLogPartition(names.changeLog, new Date())].sort(),
    );
    expect(await countOf(names.changeLog)).toBe(1);
  });
});
