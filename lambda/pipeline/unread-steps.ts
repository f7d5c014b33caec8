/**
 * The steps of mirror writes planned without a read: what each outcome means. A conflict far
 * above the write's version is a newer change stored (superseded); a conflict within the skew
 * window sends the entry to the read path next round, with the version the engine reported.
 */
import { conflictVerdict, versionOf, type MirrorEntry, type PlannedWrite, type WriteAction, type WriteOutcome } from '../core';
import type { Written } from './take-back';
import { settleConflict, settleLost, type Batch, type Step } from './write-steps';

export function upsertStepWithoutRead(write: PlannedWrite, batch: Batch, next: MirrorEntry[], written: Written, counted: () => void): Step {
  const { entry } = write;
  const action = write.mirror!;
  return {
    action,
    settle: (outcome) => {
      if (outcome.kind === 'written') {
        counted();
        written.upsertedUnread.push({ entry, version: versionOf(action) });
      } else if (outcome.kind === 'stale') settleConflict(outcome, entry, batch, next, action);
      else settleLost(outcome, entry, batch, next, action);
    },
  };
}

/**
 * A REMOVE: its tombstone with the batch's writes; once it is recorded, the delete (`deletes`, sent
 * after the batch's writes): a delete is never done before it is recorded, so a document is never
 * gone without the tombstone that keeps an older write from bringing it back.
 */
export function removeStepWithoutRead(write: PlannedWrite, batch: Batch, next: MirrorEntry[], deletes: Step[]): Step {
  const { entry } = write;
  const tombstone = write.tombstone!;
  const remove = write.mirror!;
  return {
    action: tombstone,
    settle: (outcome) => {
      if (outcome.kind === 'written' || (outcome.kind === 'stale' && isSuperseded(entry, tombstone, outcome))) {
        return void deletes.push({ action: remove, settle: (deleted) => settleDelete(deleted, entry, batch, next, remove) });
      }
      settleLost(outcome, entry, batch, next, tombstone);
    },
  };
}

function isSuperseded(entry: MirrorEntry, action: WriteAction, outcome: Extract<WriteOutcome, { kind: 'stale' }>): boolean {
  return conflictVerdict(entry.record, versionOf(action), outcome.current) === 'superseded';
}

function settleDelete(outcome: WriteOutcome, entry: MirrorEntry, batch: Batch, next: MirrorEntry[], action: WriteAction): void {
  if (outcome.kind === 'written') return void batch.ledger.counts.mirrorDeleted++;
  settleLost(outcome, entry, batch, next, action);
}
