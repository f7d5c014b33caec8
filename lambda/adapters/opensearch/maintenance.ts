/**
 * The maintenance the schedule's event (and `cdc prune`) runs: delete change-log partitions past
 * their retention, purge tombstones past theirs. The decisions are the core's (partition-retention,
 * tombstone-purge); this lists what the cluster holds and carries the plans out.
 */
import type { Client } from '@opensearch-project/opensearch';
import { planPartitionRetention, type ExpiredTombstone, type Revision, MIRROR_METADATA_FIELD, storedSequenceNumber } from '../../core';
import { noTombstonesPurged, purgeTombstones, type TombstonePurgeCounts } from '../../pipeline';
import { type FunctionSettings, type ChangeLogPartitioning, mirrorBackingIndex, tombstoneIndex } from '../../settings';
import { revisionOf } from './bulk-request';
import { detectChangeLogLayout } from './ensure-indexes';
import { OpenSearchPort } from './opensearch-port';

export type MaintenanceSettings = Pick<
  FunctionSettings,
  'indexes' | 'changeLogPartitioning' | 'changeLogRetentionDays' | 'tombstoneRetentionHours' | 'maxBulkBytes'
>;

export interface MaintenanceReport {
  readonly dryRun: boolean;
  readonly at: string;
  /** The change log's layout found in the cluster, and why it differs from the setting. */
  readonly changeLog: { readonly partitioning: ChangeLogPartitioning; readonly retentionDays: number; readonly warning?: string };
  readonly partitions: { readonly expired: string[]; readonly deleted: string[]; readonly kept: number };
  readonly tombstones: TombstonePurgeCounts & { readonly retentionHours: number; readonly olderThan: string };
}

const PAGE = 500;

export async function runMaintenance(
  client: Client,
  settings: MaintenanceSettings,
  options: { now?: Date; dryRun?: boolean } = {},
): Promise<MaintenanceReport> {
  const now = options.now ?? new Date();
  const dryRun = options.dryRun === true;
  const layout = await detectChangeLogLayout(client, settings);

  let partitions: MaintenanceReport['partitions'] = { expired: [], deleted: [], kept: 0 };
  if (layout.partitioning === 'daily') {
    const plan = planPartitionRetention(
      settings.indexes.changeLog,
      await partitionCandidates(client, settings.indexes.changeLog),
      now,
      settings.changeLogRetentionDays,
    );
    const deleted: string[] = [];
    for (const index of dryRun ? [] : plan.expired) {
      await client.indices.delete({ index, ignore_unavailable: true } as never);
      deleted.push(index);
    }
    partitions = { expired: plan.expired, deleted, kept: plan.kept.length };
  }

  const olderThan = new Date(now.getTime() - settings.tombstoneRetentionHours * 3_600_000);
  const tombstones = await purgeExpiredTombstones(client, settings, olderThan, dryRun);
  return {
    dryRun,
    at: now.toISOString(),
    changeLog: {
      partitioning: layout.partitioning,
      retentionDays: settings.changeLogRetentionDays,
      ...(layout.warning ? { warning: layout.warning } : {}),
    },
    partitions,
    tombstones: { ...tombstones, retentionHours: settings.tombstoneRetentionHours, olderThan: olderThan.toISOString() },
  };
}

/** Every index whose name starts like a partition; the plan keeps only exact partitions. */
async function partitionCandidates(client: Client, changeLog: string): Promise<string[]> {
  const response = await client.cat.indices({
    index: `${changeLog}-*`,
    format: 'json',
    h: 'index',
    expand_wildcards: 'open,closed',
  } as never);
  return ((response.body ?? []) as { index: string }[]).map((row) => row.index);
}

/** Pages of tombstones older than `olderThan` (a scroll: one consistent view), each purged through the pipeline's port. */
async function purgeExpiredTombstones(
  client: Client,
  settings: MaintenanceSettings,
  olderThan: Date,
  dryRun: boolean,
): Promise<TombstonePurgeCounts> {
  const indexes = { mirror: mirrorBackingIndex(settings.indexes.mirror), tombstones: tombstoneIndex(settings.indexes.mirror) };
  const port = new OpenSearchPort(client, settings.maxBulkBytes);
  const total = noTombstonesPurged();
  let response = await client.search({
    index: indexes.tombstones,
    scroll: '2m',
    ignore_unavailable: true,
    seq_no_primary_term: true,
    _source_includes: [`${MIRROR_METADATA_FIELD}.sequence_number`],
    body: { size: PAGE, query: { range: { [`${MIRROR_METADATA_FIELD}.timestamp`]: { lt: olderThan.toISOString() } } } },
  } as never);
  try {
    for (;;) {
      const hits = (response.body.hits?.hits ?? []) as {
        _id: string;
        _seq_no: number;
        _primary_term: number;
        _source?: Record<string, any>;
      }[];
      if (hits.length === 0) break;
      const page: ExpiredTombstone[] = hits.map((hit) => ({
        id: hit._id,
        revision: revisionOf(hit._seq_no, hit._primary_term) as Revision,
        sequenceNumber: storedSequenceNumber(hit._source?.[MIRROR_METADATA_FIELD]?.sequence_number),
      }));
      const counts = await purgeTombstones(page, indexes, port, { dryRun });
      for (const key of Object.keys(total) as (keyof TombstonePurgeCounts)[]) total[key] += counts[key];
      if (!response.body._scroll_id) break;
      response = await client.scroll({ scroll_id: response.body._scroll_id, scroll: '2m' } as never);
    }
  } finally {
    if (response.body._scroll_id) await client.clearScroll({ scroll_id: response.body._scroll_id } as never).catch(() => undefined);
  }
  return total;
}
