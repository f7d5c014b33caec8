/**
 * Purges a page of expired tombstones through the SearchPort: finish half-done deletes, then
 * delete the tombstones (see core/tombstone-purge.ts for why that order, and the conditions).
 * A tombstone whose item could not be cleaned this time is kept for the next maintenance run.
 */
import { type MirrorIndexes, mirrorRefsOf, planTombstonePurge, type ExpiredTombstone, type DeleteDocument } from '../core';
import type { SearchPort } from './search-port';

export interface TombstonePurgeCounts {
  /** Tombstones found older than the retention. */
  expired: number;
  /** Deleted. */
  purged: number;
  /** Mirror documents older than their tombstone (half-done deletes) deleted first. */
  finishedDeletes: number;
  /** Left for the next run: replaced meanwhile, their item written meanwhile, or a write failed. */
  kept: number;
}

export function noTombstonesPurged(): TombstonePurgeCounts {
  return { expired: 0, purged: 0, finishedDeletes: 0, kept: 0 };
}

export async function purgeTombstones(
  tombstones: readonly ExpiredTombstone[],
  indexes: MirrorIndexes,
  port: SearchPort,
  options: { dryRun?: boolean } = {},
): Promise<TombstonePurgeCounts> {
  const counts = noTombstonesPurged();
  counts.expired = tombstones.length;
  if (tombstones.length === 0) return counts;
  const plan = planTombstonePurge(tombstones, await port.readStates(mirrorRefsOf(tombstones, indexes)), indexes);
  if (options.dryRun) {
    counts.finishedDeletes = plan.filter((purge) => purge.finishDelete).length;
    counts.purged = plan.length;
    return counts;
  }

  const finishing = plan.filter((purge) => purge.finishDelete !== undefined);
  const finished = finishing.length === 0 ? [] : await port.write(finishing.map((purge) => purge.finishDelete!));
  const clean = new Set(plan.filter((purge) => purge.finishDelete === undefined).map((purge) => purge.id));
  finishing.forEach((purge, position) => {
    if (finished[position].kind !== 'written') return;
    counts.finishedDeletes++;
    clean.add(purge.id);
  });

  const deletes: DeleteDocument[] = plan.filter((purge) => clean.has(purge.id)).map((purge) => purge.deleteTombstone);
  const outcomes = deletes.length === 0 ? [] : await port.write(deletes);
  counts.purged = outcomes.filter((outcome) => outcome.kind === 'written').length;
  counts.kept = tombstones.length - counts.purged;
  return counts;
}
