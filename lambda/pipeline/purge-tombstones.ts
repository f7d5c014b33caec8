/**
 * Purges a page of expired tombstones through the SearchPort: finish half-done deletes, then
 * delete the tombstones (see core/tombstone-purge.ts for why that order, and the conditions).
 * A tombstone whose item could not be cleaned this time stays for the next maintenance run: kept
 * on purpose when a condition was not met, failed (with the reason) when a delete was not done.
 */
import {
  type MirrorIndexes,
  mirrorRefsOf,
  planTombstonePurge,
  purgeStepOf,
  type ExpiredTombstone,
  type DeleteDocument,
  type TombstonePurge,
} from '../core';
import type { SearchPort } from './search-port';

export interface TombstonePurgeCounts {
  /** Tombstones found older than the retention. */
  expired: number;
  /** Deleted. */
  purged: number;
  /** Mirror documents older than their tombstone (half-done deletes) deleted first. */
  finishedDeletes: number;
  /** Left on purpose for the next run: replaced by a newer delete, or their item written, meanwhile. */
  kept: number;
  /** Left because a delete failed (of the tombstone, or of the half-done mirror document before it). */
  failed: number;
}

/** A delete the purge could not do. */
export interface TombstonePurgeFailure {
  readonly index: string;
  readonly id: string;
  readonly reason: string;
}

export interface TombstonePurgeResult extends TombstonePurgeCounts {
  readonly failures: TombstonePurgeFailure[];
}

export function noTombstonesPurged(): TombstonePurgeCounts {
  return { expired: 0, purged: 0, finishedDeletes: 0, kept: 0, failed: 0 };
}

export async function purgeTombstones(
  tombstones: readonly ExpiredTombstone[],
  indexes: MirrorIndexes,
  port: SearchPort,
  options: { dryRun?: boolean } = {},
): Promise<TombstonePurgeResult> {
  const result: TombstonePurgeResult = { ...noTombstonesPurged(), expired: tombstones.length, failures: [] };
  if (tombstones.length === 0) return result;
  const plan = planTombstonePurge(tombstones, await port.readStates(mirrorRefsOf(tombstones, indexes)), indexes);
  if (options.dryRun) {
    result.finishedDeletes = plan.filter((purge) => purge.finishDelete).length;
    result.purged = plan.length;
    return result;
  }
  const clean = await finishHalfDoneDeletes(plan, port, result);
  await runDeletes(
    plan.filter((purge) => clean.has(purge.id)).map((purge) => purge.deleteTombstone),
    port,
    result,
    () => result.purged++,
  );
  return result;
}

/** Deletes the mirror documents older than their tombstone; answers the ids whose tombstone may go now. */
async function finishHalfDoneDeletes(
  plan: readonly TombstonePurge[],
  port: SearchPort,
  result: TombstonePurgeResult,
): Promise<Set<string>> {
  const clean = new Set(plan.filter((purge) => purge.finishDelete === undefined).map((purge) => purge.id));
  const finishing = plan.filter((purge) => purge.finishDelete !== undefined).map((purge) => purge.finishDelete!);
  await runDeletes(finishing, port, result, (done) => {
    result.finishedDeletes++;
    clean.add(done.id);
  });
  return clean;
}

/** One round of deletes; each counts as done (`onDone`), kept, or failed with its reason. */
async function runDeletes(
  deletes: readonly DeleteDocument[],
  port: SearchPort,
  result: TombstonePurgeResult,
  onDone: (done: DeleteDocument) => void,
): Promise<void> {
  if (deletes.length === 0) return;
  const outcomes = await port.write(deletes);
  deletes.forEach((action, position) => {
    const step = purgeStepOf(outcomes[position]);
    if (step.kind === 'done') onDone(action);
    else if (step.kind === 'kept') result.kept++;
    else {
      result.failed++;
      result.failures.push({ index: action.index, id: action.id, reason: step.reason });
    }
  });
}
