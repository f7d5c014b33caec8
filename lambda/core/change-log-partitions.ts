/**
 * The names of the change log's daily partitions: `<changeLog>-YYYY.MM.DD`, by the UTC day a change
 * was created, behind the alias `<changeLog>`. Pure: the pipeline, the index setup, retention and the
 * settings' collision rule all read names through these functions.
 *
 * The day comes from the record's creation time (ApproximateCreationDateTime), never the time it is
 * processed, so a redelivered change goes to the same partition as its first delivery and its
 * `create` with the event id as `_id` still finds it there (a duplicate, not a second document).
 * Records that carry no creation time (manual invokes, backfill snapshots) take the time they are
 * received: a repeat of one on another UTC day is written again, in that day's partition.
 */

/** One partition's name: `dynamodb-cdc` and 2026-11-27T23:59Z → `dynamodb-cdc-2026.11.27`. */
export function changeLogPartition(changeLog: string, createdAt: Date): string {
  const year = String(createdAt.getUTCFullYear()).padStart(4, '0');
  const month = String(createdAt.getUTCMonth() + 1).padStart(2, '0');
  const day = String(createdAt.getUTCDate()).padStart(2, '0');
  return `${changeLog}-${year}.${month}.${day}`;
}

/**
 * The index pattern of the partitions' template. Narrower than `<changeLog>-*`, so the default
 * dead-letter index `<changeLog>-deadletter` (and any name without two dots after the dash) is
 * never shaped by it; names it would catch are refused by the settings (partitionPatternCatches).
 */
export function changeLogPartitionPattern(changeLog: string): string {
  return `${changeLog}-*.*.*`;
}

/** The UTC midnight of a partition's day, or undefined for any name that is not exactly a partition of this change log. */
export function partitionDay(changeLog: string, index: string): Date | undefined {
  if (!index.startsWith(`${changeLog}-`)) return undefined;
  const match = /^(\d{4})\.(\d{2})\.(\d{2})$/.exec(index.slice(changeLog.length + 1));
  if (!match) return undefined;
  const day = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  // 2026.02.30 is no day: only a name the pipeline could have written counts.
  return changeLogPartition(changeLog, day) === index ? day : undefined;
}

/** Whether the partitions' template pattern would catch this index name (`*` matches any text, as OpenSearch's). */
export function partitionPatternCatches(changeLog: string, index: string): boolean {
  const pattern = changeLogPartitionPattern(changeLog)
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}$`, 's').test(index);
}
