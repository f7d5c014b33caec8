/**
 * Which writes purge expired tombstones safely. Pure: the tombstones found expired (with the
 * revision they were read at) and the mirror's state of their items in, conditional deletes out.
 *
 * A tombstone is what keeps a late, older write from resurrecting a deleted item, so purging one
 * must leave nothing behind that it still guards:
 * - a mirror document older than the tombstone is a delete left half done (tombstone recorded, the
 *   document's delete failed or lost a race): it is deleted first, on the revision read;
 * - the tombstone itself is deleted on the revision it was found expired at: if a newer REMOVE
 *   replaced it meanwhile, the delete finds another revision and the new tombstone stays.
 *
 * A tombstone left in place because its condition was not met is kept on purpose (the next run
 * looks again); one left because a delete failed is a failure the maintenance must report.
 */
import { MANUAL_SEQUENCE_NUMBER } from './change-record';
import type { MirrorIndexes, StateLookup } from './mirror-plan';
import { isNewer } from './sequence-number';
import { refKey, type DeleteDocument, type Revision, type WriteOutcome } from './writes';

/** A tombstone older than the retention, as it was read. */
export interface ExpiredTombstone {
  readonly id: string;
  readonly revision: Revision;
  readonly sequenceNumber?: string;
}

export interface TombstonePurge {
  readonly id: string;
  /** The half-done delete to finish first; the tombstone goes only once this is written. */
  readonly finishDelete?: DeleteDocument;
  readonly deleteTombstone: DeleteDocument;
}

/** The mirror documents the plan needs: one per expired tombstone's item. */
export function mirrorRefsOf(tombstones: readonly ExpiredTombstone[], indexes: MirrorIndexes) {
  return tombstones.map(({ id }) => ({ index: indexes.mirror, id }));
}

export function planTombstonePurge(
  tombstones: readonly ExpiredTombstone[],
  mirrorStates: StateLookup,
  indexes: MirrorIndexes,
): TombstonePurge[] {
  return tombstones.map(({ id, revision, sequenceNumber }) => {
    const current = mirrorStates.get(refKey({ index: indexes.mirror, id }));
    const halfDone = current !== undefined && isNewer(sequenceNumber ?? MANUAL_SEQUENCE_NUMBER, current.sequenceNumber);
    return {
      id,
      ...(halfDone
        ? {
            finishDelete: {
              operation: 'delete',
              role: 'mirror',
              index: indexes.mirror,
              id,
              condition: { kind: 'unchanged', revision: current.revision },
              records: [],
            } as DeleteDocument,
          }
        : {}),
      deleteTombstone: {
        operation: 'delete',
        role: 'tombstone',
        index: indexes.tombstones,
        id,
        condition: { kind: 'unchanged', revision },
        records: [],
      },
    };
  });
}

/**
 * What one of the purge's deletes came to: done; kept on purpose (its condition was not met: the
 * tombstone was replaced by a newer delete, or the item written, since they were read); or failed
 * (the engine did not do it: unavailable, blocked, refused), with the engine's reason.
 */
export type PurgeStep = { readonly kind: 'done' } | { readonly kind: 'kept' } | { readonly kind: 'failed'; readonly reason: string };

export function purgeStepOf(outcome: WriteOutcome): PurgeStep {
  switch (outcome.kind) {
    case 'written':
      return { kind: 'done' };
    case 'changed':
    case 'stale':
      return { kind: 'kept' };
    case 'exists':
      return { kind: 'failed', reason: 'a delete was answered as a create (the document exists)' };
    default:
      return { kind: 'failed', reason: outcome.reason };
  }
}
