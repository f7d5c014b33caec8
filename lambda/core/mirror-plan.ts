/**
 * Which mirror writes a batch needs, given what the mirror and its tombstones hold now.
 *
 * Per item only the newest change of the batch matters, and only if it is newer than both the
 * sequence number of the mirror document and that of the item's tombstone: a retried,
 * duplicated or late batch never moves an item back to an older image, and a deleted item stays
 * deleted. Every write is conditional on the revision read, so a concurrent writer makes us plan
 * again instead of losing an update.
 *
 * A REMOVE first records its tombstone (the item's sequence number, in the tombstone index),
 * then deletes the mirror document: the item is gone from every read path of the mirror. Each
 * side checks the other after writing: an upserter reads the tombstones after its write
 * (undoWritesBehindTombstones), a remover that found no document reads the mirror again after its
 * tombstone (deletesBehindTombstones). Whichever writes second sees the other's write, so an
 * upsert racing with a REMOVE never outlives it.
 */
import { MANUAL_SEQUENCE_NUMBER, type ChangeRecord } from './change-record';
import { stringifyLossless } from './lossless-json';
import { mappableAttributes, MIRROR_METADATA_FIELD, mirrorMetadata, toMirrorDocument, type MirrorLayout } from './mirror-document';
import { fieldPaths, MirrorMapping, type FieldKind } from './mirror-fields';
import { isNewer } from './sequence-number';
import { refKey, type DocumentRef, type Revision, type StoredState, type WriteAction } from './writes';

export interface MirrorIndexes {
  /** The backing index (written directly). */
  readonly mirror: string;
  readonly tombstones: string;
}

export interface MirrorEntry {
  readonly position: number;
  readonly record: ChangeRecord;
  readonly id: string;
  /**
   * The last refusal of this entry's document. Refused once, it is placed again on the mapping
   * read afresh (another writer may have mapped what the known mapping lacked); refused twice,
   * every attribute is written unindexed (`storedBecause`).
   */
  readonly refused?: Refusal;
  /** Set once OpenSearch refused the indexed form twice: write every attribute unindexed. */
  readonly storedBecause?: string;
}

export interface Refusal {
  readonly errorType: string;
  readonly reason: string;
}

export interface PlannedWrite {
  readonly entry: MirrorEntry;
  /** REMOVE: the tombstone to record first. */
  readonly tombstone?: WriteAction;
  /** The mirror document to put, or (REMOVE of an existing document) to delete. */
  readonly mirror?: WriteAction;
  /** A put: whether some of the item is kept unindexed, and what it maps that the mapping did not hold. */
  readonly placed?: { readonly unindexed: boolean; readonly newFields: ReadonlyMap<string, FieldKind> };
}

export interface MirrorPlan {
  readonly writes: PlannedWrite[];
  /** Positions whose change is already reflected by a newer (or the same) one. */
  readonly superseded: number[];
}

export type StateLookup = ReadonlyMap<string, StoredState>;

/** The documents whose state the plan needs: each id in the mirror and in the tombstones. */
export function stateRefs(entries: readonly MirrorEntry[], indexes: MirrorIndexes): DocumentRef[] {
  const ids = [...new Set(entries.map((entry) => entry.id))];
  return [...ids.map((id) => ({ index: indexes.mirror, id })), ...ids.map((id) => ({ index: indexes.tombstones, id }))];
}

/** The newest entry of each document id, in first-seen order (of manual records, the last). */
export function newestPerDocument(entries: readonly MirrorEntry[]): MirrorEntry[] {
  const newest = new Map<string, MirrorEntry>();
  for (const entry of entries) {
    const seen = newest.get(entry.id);
    if (seen === undefined || replaces(entry.record, seen.record.sequenceNumber)) newest.set(entry.id, entry);
  }
  return [...newest.values()];
}

/**
 * Whether a change replaces a state of this sequence number: when it is newer. Besides, a manual
 * record replaces what a manual record or a backfill wrote (they share the lowest sequence
 * number, so a stream change always wins over them, and the last manual change among them). A
 * backfilled snapshot only fills what is empty: it never replaces or resurrects anything. A
 * repair replaces the state it was made for (same sequence number) and nothing newer: a change
 * the stream applied since it was read wins, and the ones still on their way come after it.
 */
function replaces(record: ChangeRecord, sequenceNumber: string | undefined): boolean {
  if (record.origin === 'repair' && sequenceNumber === record.sequenceNumber) return true;
  return isNewer(record.sequenceNumber, sequenceNumber) || (record.origin === 'manual' && sequenceNumber === MANUAL_SEQUENCE_NUMBER);
}

/**
 * @param mapping the mirror's mapping as known, which the batch's puts are placed on in order
 *   (the order of the writes).
 */
export function planMirrorWrites(
  entries: readonly MirrorEntry[],
  states: StateLookup,
  indexes: MirrorIndexes,
  mapping: MirrorMapping = new MirrorMapping(),
): MirrorPlan {
  const newest = newestPerDocument(entries);
  const chosen = new Set(newest.map((entry) => entry.position));
  const superseded = entries.filter((entry) => !chosen.has(entry.position)).map((entry) => entry.position);
  const writes: PlannedWrite[] = [];

  for (const entry of newest) {
    const { record, id, position } = entry;
    const current = states.get(refKey({ index: indexes.mirror, id }));
    const tombstone = states.get(refKey({ index: indexes.tombstones, id }));
    if (!replaces(record, current?.sequenceNumber) || !replaces(record, tombstone?.sequenceNumber)) {
      superseded.push(position);
      // A document older than the item's tombstone is a delete left half done (the tombstone was
      // recorded, then the write that deletes the document failed or lost a race): finish it.
      if (current && tombstone && isNewer(tombstone.sequenceNumber ?? MANUAL_SEQUENCE_NUMBER, current.sequenceNumber)) {
        writes.push({ entry, mirror: deleteOf(id, current.revision, position, indexes) });
      }
      continue;
    }
    writes.push(record.eventName === 'REMOVE' ? removeOf(entry, current, tombstone, indexes) : putOf(entry, current, indexes, mapping));
  }
  return { writes, superseded };
}

/** A REMOVE: its tombstone first, then the delete of the document (if there is one). */
function removeOf(
  entry: MirrorEntry,
  current: StoredState | undefined,
  tombstone: StoredState | undefined,
  indexes: MirrorIndexes,
): PlannedWrite {
  const { record, id, position } = entry;
  return {
    entry,
    tombstone: {
      operation: 'put',
      role: 'tombstone',
      index: indexes.tombstones,
      id,
      condition: tombstone ? { kind: 'unchanged', revision: tombstone.revision } : { kind: 'absent' },
      document: stringifyLossless({ [MIRROR_METADATA_FIELD]: { ...mirrorMetadata(record) } }),
      records: [position],
    },
    mirror: current ? deleteOf(id, current.revision, position, indexes) : undefined,
  };
}

/** An INSERT or MODIFY: the item's document, placed on the mapping (or stored whole, once refused twice). */
function putOf(entry: MirrorEntry, current: StoredState | undefined, indexes: MirrorIndexes, mapping: MirrorMapping): PlannedWrite {
  const { record, id, position } = entry;
  const layout: MirrorLayout =
    entry.storedBecause === undefined ? { form: 'indexed', mapping } : { form: 'stored', reason: entry.storedBecause };
  const { document, unindexed, newFields } = toMirrorDocument(record.newImage!, mirrorMetadata(record), layout);
  return {
    entry,
    mirror: {
      operation: 'put',
      role: 'mirror',
      index: indexes.mirror,
      id,
      condition: current ? { kind: 'unchanged', revision: current.revision } : { kind: 'absent' },
      document: stringifyLossless(document),
      records: [position],
    },
    placed: { unindexed, newFields },
  };
}

/** The paths the puts among these entries would map: what to ask the mapping about before planning them. */
export function placedPaths(entries: readonly MirrorEntry[]): Set<string> {
  const paths = new Set<string>();
  for (const { record, storedBecause } of newestPerDocument(entries)) {
    if (record.eventName !== 'REMOVE' && storedBecause === undefined && record.newImage)
      fieldPaths(mappableAttributes(record.newImage), paths);
  }
  return paths;
}

function deleteOf(id: string, revision: Revision, position: number, indexes: MirrorIndexes): WriteAction {
  return {
    operation: 'delete',
    role: 'mirror',
    index: indexes.mirror,
    id,
    condition: { kind: 'unchanged', revision },
    records: [position],
  };
}

/**
 * After upserts were written: any whose item got a newer tombstone meanwhile (a REMOVE that
 * raced with it and found nothing to delete yet) is deleted again, conditionally on the revision
 * we wrote, so a newer write by somebody else is never touched.
 */
export function undoWritesBehindTombstones(
  written: readonly { entry: MirrorEntry; revision: Revision }[],
  tombstones: StateLookup,
  indexes: MirrorIndexes,
): WriteAction[] {
  return written
    .filter(({ entry }) => {
      const tombstone = tombstones.get(refKey({ index: indexes.tombstones, id: entry.id }));
      return tombstone !== undefined && isNewer(tombstone.sequenceNumber ?? MANUAL_SEQUENCE_NUMBER, entry.record.sequenceNumber);
    })
    .map(({ entry, revision }) => ({
      operation: 'delete',
      role: 'mirror',
      index: indexes.mirror,
      id: entry.id,
      condition: { kind: 'unchanged', revision },
      records: [entry.position],
    }));
}

/**
 * After tombstones were recorded for REMOVEs that found no document to delete: a document written
 * meanwhile by a writer that had not seen the tombstone yet (a backfill, a repair, a re-drive),
 * and not newer than the REMOVE, is deleted, conditionally on the revision read.
 */
export function deletesBehindTombstones(removed: readonly MirrorEntry[], documents: StateLookup, indexes: MirrorIndexes): WriteAction[] {
  return removed.flatMap((entry) => {
    const document = documents.get(refKey({ index: indexes.mirror, id: entry.id }));
    if (document === undefined || isNewer(document.sequenceNumber ?? MANUAL_SEQUENCE_NUMBER, entry.record.sequenceNumber)) return [];
    return [deleteOf(entry.id, document.revision, entry.position, indexes)];
  });
}
