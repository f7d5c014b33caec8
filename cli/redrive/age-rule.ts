/**
 * The age rule of re-drive: which records may still be written to the mirror.
 *
 * A record re-driven to the mirror is safe only while every later delete of its item still has its
 * tombstone (the tombstone is what keeps an older write out). The maintenance purges tombstones
 * older than `tombstoneRetentionHours`, measured from the delete's creation time; a delete made
 * after the record is at least as recent as the record, so its tombstone outlives the record's age
 * reaching that retention. A record is therefore old, and kept out of the mirror, when it is within
 * PURGE_MARGIN_HOURS of the purge cutoff (the maintenance may run while re-drive does), or when it
 * carries no creation time at all (backfill snapshots, manual and repair records): nothing says
 * how old it is. An old record goes to the change log only, and its item's mirror is put right
 * from the table, which holds the item's state now.
 */
import { recordCreationTime, type RawStreamRecord } from '../../lambda/core';

/** How long before the purge cutoff a record already counts as old. */
export const PURGE_MARGIN_HOURS = 1;

const HOUR_MS = 3_600_000;

/** Records created before this may meet a purged tombstone: they are old. */
export function redriveCutoff(now: Date, tombstoneRetentionHours: number): Date {
  return new Date(now.getTime() - (tombstoneRetentionHours - PURGE_MARGIN_HOURS) * HOUR_MS);
}

export function isOldRecord(record: RawStreamRecord, cutoff: Date): boolean {
  const created = recordCreationTime(record);
  return created === undefined || created.getTime() < cutoff.getTime();
}

/** The rule in words, for the log. */
export function describeCutoff(tombstoneRetentionHours: number): string {
  return `older than the tombstones' retention (${tombstoneRetentionHours} h, less a ${PURGE_MARGIN_HOURS} h margin) or without a creation time`;
}
