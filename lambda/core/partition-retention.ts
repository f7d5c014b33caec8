/**
 * Which daily change-log partitions have outlived their retention. Pure: names and a time in, the
 * names to delete out; the adapter lists and deletes.
 *
 * Only names that are exactly a partition of this change log count (`<changeLog>-YYYY.MM.DD`, a real
 * day): the dead-letter index, the mirror, another pipeline's indexes and anything hand-made are never
 * candidates. Today's and yesterday's partitions are never deleted, whatever the retention, so a
 * change still in flight across midnight always has its partition.
 */
import { partitionDay } from './change-log-partitions';

export interface PartitionRetentionPlan {
  /** Partitions past their retention, oldest first. */
  readonly expired: string[];
  /** Partitions kept (within retention, today's, yesterday's, or dated ahead of the clock). */
  readonly kept: string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * With retention N days, the partitions of the last N days before today, and today's, are kept;
 * older ones expire. 0 keeps everything.
 */
export function planPartitionRetention(
  changeLog: string,
  indexes: readonly string[],
  now: Date,
  retentionDays: number,
): PartitionRetentionPlan {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const oldestKept = today - Math.max(retentionDays, 1) * DAY_MS;
  const partitions = indexes
    .map((index) => ({ index, day: partitionDay(changeLog, index) }))
    .filter((partition): partition is { index: string; day: Date } => partition.day !== undefined)
    .sort((a, b) => a.day.getTime() - b.day.getTime() || a.index.localeCompare(b.index));
  const expired = retentionDays === 0 ? [] : partitions.filter(({ day }) => day.getTime() < oldestKept);
  return {
    expired: expired.map(({ index }) => index),
    kept: partitions.filter((partition) => !expired.includes(partition)).map(({ index }) => index),
  };
}
