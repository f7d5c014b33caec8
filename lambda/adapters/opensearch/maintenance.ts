/**
 * The maintenance the schedule's event (and `cdc prune`) runs: delete change-log partitions past
 * their retention, create the partitions of today (if missing) and tomorrow ahead, purge tombstones
 * past their retention. The decisions are the core's (partition-retention, tombstone-purge); this
 * lists what the cluster holds and carries the plans out.
 *
 * A run that could not do its work (a partition it cannot create, a tombstone delete that failed)
 * finishes the rest and then throws a MaintenanceFailure with its report, so the schedule's metric
 * and alarm see it. Creating tomorrow's partition a day ahead makes a cluster at its shard limit
 * show a day before the changes of that day have nowhere to go.
 */
import {
  changeLogPartition,
  planPartitionRetention,
  type ExpiredTombstone,
  type Revision,
  MIRROR_METADATA_FIELD,
  storedSequenceNumber,
} from '../../core';
import { noTombstonesPurged, purgeTombstones, type TombstonePurgeCounts, type TombstonePurgeFailure } from '../../pipeline';
import { type FunctionSettings, type ChangeLogPartitioning, mirrorAliases, mirrorIndexNames } from '../../settings';
import { revisionOf } from './bulk-request';
import { createIndex, detectChangeLogLayout } from './ensure-indexes';
import { OpenSearchPort } from './opensearch-port';
import { scrolledHits } from './scroll';
import { exists, pathOf, type SearchTransport } from './search-transport';

export type MaintenanceSettings = Pick<
  FunctionSettings,
  'indexes' | 'changeLogPartitioning' | 'changeLogRetentionDays' | 'tombstoneRetentionHours' | 'maxBulkBytes' | 'routing'
>;

export interface MaintenanceReport {
  readonly dryRun: boolean;
  readonly at: string;
  /** The change log's layout found in the cluster, and why it differs from the setting. */
  readonly changeLog: { readonly partitioning: ChangeLogPartitioning; readonly retentionDays: number; readonly warning?: string };
  readonly partitions: {
    readonly expired: string[];
    readonly deleted: string[];
    readonly kept: number;
    /** Today's and tomorrow's partitions that did not exist; `created` the ones this run created. */
    readonly missing: string[];
    readonly created: string[];
  };
  readonly tombstones: TombstonePurgeCounts & {
    readonly retentionHours: number;
    readonly olderThan: string;
    /** The first failed deletes (all are counted in `failed`). */
    readonly failures: TombstonePurgeFailure[];
  };
  /** What this run could not do; when any, runMaintenance throws a MaintenanceFailure carrying this report. */
  readonly problems: string[];
}

/** A run that could not do all its work: the rest was done, the report says what and what not. */
export class MaintenanceFailure extends Error {
  constructor(readonly report: MaintenanceReport) {
    super(`the maintenance could not do all its work: ${report.problems.join('; ')}`);
    this.name = 'MaintenanceFailure';
  }
}

const PAGE = 500;
const DAY_MS = 86_400_000;
/** Failed tombstone deletes named in the report; more are counted only. */
const FAILURES_SHOWN = 10;

export async function runMaintenance(
  transport: SearchTransport,
  settings: MaintenanceSettings,
  options: { now?: Date; dryRun?: boolean } = {},
): Promise<MaintenanceReport> {
  const now = options.now ?? new Date();
  const dryRun = options.dryRun === true;
  const layout = await detectChangeLogLayout(transport, settings);
  const problems: string[] = [];

  let partitions: MaintenanceReport['partitions'] = { expired: [], deleted: [], kept: 0, missing: [], created: [] };
  if (layout.partitioning === 'daily') {
    // Expired ones first: deleting them frees the shards the new partitions need.
    const retention = await deleteExpiredPartitions(transport, settings, now, dryRun);
    const { refused, ...ahead } = await createPartitionsAhead(transport, settings.indexes.changeLog, now, dryRun);
    partitions = { ...retention, ...ahead };
    problems.push(...refused);
  }

  const olderThan = new Date(now.getTime() - settings.tombstoneRetentionHours * 3_600_000);
  const tombstones = await purgeExpiredTombstones(transport, settings, olderThan, dryRun);
  if (tombstones.failed > 0) {
    const first = tombstones.failures[0];
    problems.push(`${tombstones.failed} tombstone purge delete(s) failed (first: ${first.index}/${first.id}: ${first.reason})`);
  }
  const report: MaintenanceReport = {
    dryRun,
    at: now.toISOString(),
    changeLog: {
      partitioning: layout.partitioning,
      retentionDays: settings.changeLogRetentionDays,
      ...(layout.warning ? { warning: layout.warning } : {}),
    },
    partitions,
    tombstones: { ...tombstones, retentionHours: settings.tombstoneRetentionHours, olderThan: olderThan.toISOString() },
    problems,
  };
  if (problems.length > 0) throw new MaintenanceFailure(report);
  return report;
}

async function deleteExpiredPartitions(transport: SearchTransport, settings: MaintenanceSettings, now: Date, dryRun: boolean) {
  const plan = planPartitionRetention(
    settings.indexes.changeLog,
    await partitionCandidates(transport, settings.indexes.changeLog),
    now,
    settings.changeLogRetentionDays,
  );
  const deleted: string[] = [];
  for (const index of dryRun ? [] : plan.expired) {
    await transport.request({ method: 'DELETE', path: pathOf(index), querystring: { ignore_unavailable: true } });
    deleted.push(index);
  }
  return { expired: plan.expired, deleted, kept: plan.kept.length };
}

/**
 * Today's partition if it is missing and tomorrow's, created by their templates as a first write
 * would create them; `refused` says why one could not be. Only once the change log is an alias
 * (the function has set its indexes up).
 */
async function createPartitionsAhead(transport: SearchTransport, changeLog: string, now: Date, dryRun: boolean) {
  const missing: string[] = [];
  const created: string[] = [];
  const refused: string[] = [];
  if (!(await exists(transport, pathOf('_alias', changeLog)))) return { missing, created, refused };
  for (const day of [now, new Date(now.getTime() + DAY_MS)]) {
    const partition = changeLogPartition(changeLog, day);
    if (await exists(transport, pathOf(partition))) continue;
    missing.push(partition);
    if (dryRun) continue;
    try {
      if (await createIndex(transport, partition)) created.push(partition);
    } catch (error) {
      refused.push(`cannot create the change-log partition ${partition} ahead: ${(error as Error).message}`);
    }
  }
  return { missing, created, refused };
}

/** Every index whose name starts like a partition; the plan keeps only exact partitions. */
async function partitionCandidates(transport: SearchTransport, changeLog: string): Promise<string[]> {
  const response = await transport.request<{ index: string }[]>({
    method: 'GET',
    path: pathOf('_cat', 'indices', `${changeLog}-*`),
    querystring: { format: 'json', h: 'index', expand_wildcards: 'open,closed' },
  });
  return (response.body ?? []).map((row) => row.index);
}

/** Each mirror's tombstones older than `olderThan` purged, the counts summed over the mirrors. */
async function purgeExpiredTombstones(
  transport: SearchTransport,
  settings: MaintenanceSettings,
  olderThan: Date,
  dryRun: boolean,
): Promise<TombstonePurgeCounts & { failures: TombstonePurgeFailure[] }> {
  const port = new OpenSearchPort(transport, settings.maxBulkBytes);
  const total = noTombstonesPurged();
  const failures: TombstonePurgeFailure[] = [];
  for (const alias of mirrorAliases(settings)) {
    const { backing, tombstones } = mirrorIndexNames(alias);
    await purgeMirrorTombstones(transport, port, { mirror: backing, tombstones }, { olderThan, dryRun, total, failures });
  }
  return { ...total, failures };
}

/** Pages of one mirror's tombstones older than `olderThan` (a scroll: one consistent view), each purged through the pipeline's port. */
async function purgeMirrorTombstones(
  transport: SearchTransport,
  port: OpenSearchPort,
  indexes: { readonly mirror: string; readonly tombstones: string },
  run: { olderThan: Date; dryRun: boolean; total: TombstonePurgeCounts; failures: TombstonePurgeFailure[] },
): Promise<void> {
  const { olderThan, dryRun, total, failures } = run;
  const pages = scrolledHits<TombstoneHit>(transport, {
    index: indexes.tombstones,
    keepAlive: '2m',
    querystring: { ignore_unavailable: true, seq_no_primary_term: true, _source_includes: [`${MIRROR_METADATA_FIELD}.sequence_number`] },
    body: { size: PAGE, query: { range: { [`${MIRROR_METADATA_FIELD}.timestamp`]: { lt: olderThan.toISOString() } } } },
  });
  for await (const hits of pages) {
    const page: ExpiredTombstone[] = hits.map((hit) => ({
      id: hit._id,
      revision: revisionOf(hit._seq_no, hit._primary_term) as Revision,
      sequenceNumber: storedSequenceNumber(hit._source?.[MIRROR_METADATA_FIELD]?.sequence_number),
    }));
    const { failures: failed, ...counts } = await purgeTombstones(page, indexes, port, { dryRun });
    for (const key of Object.keys(total) as (keyof TombstonePurgeCounts)[]) total[key] += counts[key];
    failures.push(...failed.slice(0, Math.max(0, FAILURES_SHOWN - failures.length)));
  }
}

interface TombstoneHit {
  readonly _id: string;
  readonly _seq_no: number;
  readonly _primary_term: number;
  readonly _source?: Record<string, any>;
}
