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

/** A REMOVE's tombstone and delete, sent together; the entry is settled once both are answered. */
export function removeStepsWithoutRead(write: PlannedWrite, batch: Batch, next: MirrorEntry[]): Step[] {
  const actions = [write.tombstone!, write.mirror!];
  const outcomes: WriteOutcome[] = [];
  return actions.map((action, position) => ({
    action,
    settle: (outcome: WriteOutcome) => {
      outcomes[position] = outcome;
      if (outcomes.filter(Boolean).length === actions.length) settleRemove(outcomes, actions, write.entry, batch, next);
    },
  }));
}

function settleRemove(outcomes: WriteOutcome[], actions: WriteAction[], entry: MirrorEntry, batch: Batch, next: MirrorEntry[]): void {
  const failed = outcomes.findIndex((outcome) => outcome.kind !== 'written' && outcome.kind !== 'stale');
  if (failed >= 0) return settleLost(outcomes[failed], entry, batch, next, actions[failed]);
  const undecided = outcomes.flatMap((outcome, position) =>
    outcome.kind === 'stale' && conflictVerdict(entry.record, versionOf(actions[position]), outcome.current) === 'compare' ? [outcome] : [],
  );
  if (undecided.length > 0) {
    const reported = undecided.flatMap((outcome) => (outcome.current === undefined ? [] : [outcome.current]));
    const conflictVersion = Math.max(entry.conflictVersion ?? 0, ...reported);
    return void next.push({ ...entry, readBeforeWrite: true, conflictVersion: conflictVersion > 0 ? conflictVersion : undefined });
  }
  // Both done, or found something newer: the delete done or not needed.
  if (outcomes[1].kind === 'written') batch.ledger.counts.mirrorDeleted++;
  else batch.ledger.counts.mirrorSuperseded++;
}
