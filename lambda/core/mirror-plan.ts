/**
 * Which mirror writes a batch needs, given what the mirror holds now.
 *
 * Per item only the newest change of the batch matters, and only if it is newer than the
 * sequence number the mirror document already carries: a retried, duplicated or late batch
 * never moves an item back to an older image, and a deleted item stays deleted (its tombstone
 * keeps the sequence number). Writes carry `if_seq_no`, so a concurrent writer causes a conflict
 * to plan again rather than a lost update.
 */
import type { ChangeRecord } from './change-record';
import type { BulkAction } from './bulk';
import { stringifyLossless } from './lossless-json';
import { toMirrorDocument } from './mirror-document';
import { isNewer } from './sequence-number';

export interface MirrorState {
  /** Sequence number of the change the document reflects, if it has one. */
  readonly sequenceNumber?: string;
  readonly seqNo: number;
  readonly primaryTerm: number;
}

export interface MirrorEntry {
  readonly position: number;
  readonly record: ChangeRecord;
  readonly id: string;
}

export interface MirrorPlan {
  readonly actions: BulkAction[];
  /** Positions whose change is already reflected by a newer (or the same) one. */
  readonly superseded: number[];
  /** Positions whose item cannot be written as a mirror document, with the reason. */
  readonly rejected: { position: number; reason: string }[];
}

/** The newest entry of each document id, in first-seen order. */
export function newestPerDocument(entries: readonly MirrorEntry[]): MirrorEntry[] {
  const newest = new Map<string, MirrorEntry>();
  for (const entry of entries) {
    const seen = newest.get(entry.id);
    if (seen === undefined || isNewer(entry.record.sequenceNumber, seen.record.sequenceNumber)) newest.set(entry.id, entry);
  }
  return [...newest.values()];
}

export function planMirrorWrites(
  entries: readonly MirrorEntry[],
  states: ReadonlyMap<string, MirrorState>,
  index: string,
): MirrorPlan {
  const plan: MirrorPlan = { actions: [], superseded: [], rejected: [] };
  const newest = newestPerDocument(entries);
  const chosen = new Set(newest.map((entry) => entry.position));
  for (const entry of entries) if (!chosen.has(entry.position)) plan.superseded.push(entry.position);

  for (const { position, record, id } of newest) {
    const state = states.get(id);
    if (state !== undefined && !isNewer(record.sequenceNumber, state.sequenceNumber)) {
      plan.superseded.push(position);
      continue;
    }
    let source: string;
    try {
      const deleted = record.eventName === 'REMOVE';
      source = stringifyLossless(
        toMirrorDocument(deleted ? undefined : record.newImage, {
          sequence_number: record.sequenceNumber,
          event_id: record.eventId,
          event_name: record.eventName,
          timestamp: record.approximateCreationTime.toISOString(),
          deleted,
        }),
      );
    } catch (error) {
      plan.rejected.push({ position, reason: (error as Error).message });
      continue;
    }
    plan.actions.push({
      target: 'mirror',
      opType: state === undefined ? 'create' : 'index',
      index,
      id,
      ...(state === undefined ? {} : { ifSeqNo: state.seqNo, ifPrimaryTerm: state.primaryTerm }),
      source,
      records: [position],
    });
  }
  return plan;
}
