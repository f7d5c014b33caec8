/**
 * Which mirror writes a batch needs: without a read for the stream's changes, or given what the
 * mirror and its tombstones hold now for the others and for changes whose write conflicted.
 *
 * Per item only the newest change of the batch matters. Every mirror and tombstone write carries
 * an external version (external-version.ts), so the engine itself refuses a write older (by
 * creation time) than what it holds: a stream change is written at once (planWriteWithoutRead),
 * and only a conflict that may hide an older stored change (same second, within the skew
 * window) is settled by reading the exact sequence numbers (planMirrorWrites). There a change is
 * written only if newer than both the sequence number of the mirror document and that of the
 * item's tombstone, at a version just above the one read, so a concurrent writer makes us plan
 * again instead of losing an update.
 *
 * A REMOVE records its tombstone (the item's sequence number, in the tombstone index), and
 * deletes the mirror document: the item is gone from every read path of the mirror. The engine
 * forgets a delete's version after `index.gc_deletes`, so the tombstone is the lasting guard:
 * every upsert is checked against the tombstones (undoWritesBehindTombstones), and a remover
 * that found no document reads the mirror again after its tombstone (deletesBehindTombstones).
 * Whichever writes second sees the other's write, so an upsert never outlives a newer REMOVE.
 */
import { MANUAL_SEQUENCE_NUMBER, type ChangeRecord } from './change-record';
import { stringifyLossless } from './lossless-json';
import { mappableAttributes, MIRROR_METADATA_FIELD, mirrorMetadata, toMirrorDocument, type MirrorLayout } from './mirror-document';
import { fieldPaths, MirrorMapping, type FieldKind } from './mirror-fields';
import { isNewer } from './sequence-number';
import { isBeyondWindow, versionAbove } from './external-version';
import { shapedMappableAttributes, toShapedMirrorDocument, type ShapedDocument } from './routing';
import { refKey, type DocumentRef, type StoredState, type WriteAction } from './writes';

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
  /**
   * Set once a write of this entry met a stored version that may reflect an older change: from
   * then on it is planned from a read (planMirrorWrites), above `conflictVersion` (the highest
   * version a conflict reported).
   */
  readonly readBeforeWrite?: boolean;
  readonly conflictVersion?: number;
  /**
   * A routed mirror's document (lambda/core/routing): put in place of the item's image (the
   * record then has no new image: what this mirror holds of the item is the shaped document alone).
   */
  readonly shaped?: ShapedDocument;
  /** The shaped document is what the transform kept of a deleted item (the record, a REMOVE, is put as a MODIFY). */
  readonly keptOnRemove?: boolean;
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
        writes.push({ entry, mirror: deleteOf(id, (current.version ?? 0) + 1, position, indexes) });
      }
      continue;
    }
    const above = (state: StoredState | undefined) => versionAbove(record, state?.version, entry.conflictVersion);
    writes.push(
      record.eventName === 'REMOVE'
        ? removeOf(entry, above(tombstone), current && above(current), indexes)
        : putOf(entry, above(current), indexes, mapping),
    );
  }
  return { writes, superseded };
}

/**
 * A stream change without a read (the newest of its item in the batch: see newestPerDocument), at
 * the version of its creation time. The engine refuses what is not newer than what it holds; a
 * REMOVE always sends its delete (a document may be there), which the engine remembers for a
 * while even when there was nothing to delete.
 */
export function planWriteWithoutRead(entry: MirrorEntry, indexes: MirrorIndexes, mapping: MirrorMapping): PlannedWrite {
  const version = versionAbove(entry.record, undefined, undefined); // a stream change's own; a snapshot's 1, above nothing
  return entry.record.eventName === 'REMOVE' ? removeOf(entry, version, version, indexes) : putOf(entry, version, indexes, mapping);
}

/** The tombstones to check the upserts among these entries against. */
export function tombstoneRefs(entries: readonly MirrorEntry[], indexes: MirrorIndexes): DocumentRef[] {
  return entries.filter(({ record }) => record.eventName !== 'REMOVE').map(({ id }) => ({ index: indexes.tombstones, id }));
}

/** The version a planned write carries. */
export function versionOf(action: WriteAction): number {
  if (action.condition.kind !== 'version') throw new Error(`${action.role} write ${action.id} carries no version`);
  return action.condition.version;
}

/** A REMOVE: its tombstone, and the delete of the document (unless known to be absent). */
function removeOf(entry: MirrorEntry, tombstoneVersion: number, deleteVersion: number | undefined, indexes: MirrorIndexes): PlannedWrite {
  const { record, id, position } = entry;
  return {
    entry,
    tombstone: {
      operation: 'put',
      role: 'tombstone',
      index: indexes.tombstones,
      id,
      condition: { kind: 'version', version: tombstoneVersion },
      document: stringifyLossless({ [MIRROR_METADATA_FIELD]: { ...mirrorMetadata(record) } }),
      records: [position],
    },
    mirror: deleteVersion === undefined ? undefined : deleteOf(id, deleteVersion, position, indexes),
  };
}

/** An INSERT or MODIFY: the item's document, placed on the mapping (or stored whole, once refused twice). */
function putOf(entry: MirrorEntry, version: number, indexes: MirrorIndexes, mapping: MirrorMapping): PlannedWrite {
  const { record, id, position } = entry;
  const layout: MirrorLayout =
    entry.storedBecause === undefined ? { form: 'indexed', mapping } : { form: 'stored', reason: entry.storedBecause };
  const { document, unindexed, newFields } = entry.shaped
    ? toShapedMirrorDocument(entry.shaped, mirrorMetadata(record, entry.keptOnRemove), layout)
    : toMirrorDocument(record.newImage!, mirrorMetadata(record), layout);
  return {
    entry,
    mirror: {
      operation: 'put',
      role: 'mirror',
      index: indexes.mirror,
      id,
      condition: { kind: 'version', version },
      document: stringifyLossless(document),
      records: [position],
    },
    placed: { unindexed, newFields },
  };
}

/** The paths the puts among these entries would map: what to ask the mapping about before planning them. */
export function placedPaths(entries: readonly MirrorEntry[]): Set<string> {
  const paths = new Set<string>();
  for (const { record, storedBecause, shaped } of newestPerDocument(entries)) {
    if (record.eventName === 'REMOVE' || storedBecause !== undefined) continue;
    if (shaped) fieldPaths(shapedMappableAttributes(shaped), paths);
    else if (record.newImage) fieldPaths(mappableAttributes(record.newImage), paths);
  }
  return paths;
}

function deleteOf(id: string, version: number, position: number, indexes: MirrorIndexes): WriteAction {
  return {
    operation: 'delete',
    role: 'mirror',
    index: indexes.mirror,
    id,
    condition: { kind: 'version', version },
    records: [position],
  };
}

/**
 * After upserts were written: any whose item has a newer tombstone (a REMOVE that raced with it,
 * or one whose delete the engine has forgotten) is deleted again, just above the version we wrote,
 * so a newer write by somebody else (always of a higher version) is never touched.
 *
 * `withoutRead`: the upserts are the function's stream changes, written in stream order at their
 * creation time. A tombstone more than the skew window below is then an older REMOVE whatever
 * its sequence number says: sequence numbers need not compare across shards (a REMOVE in a
 * parent shard, the item written again in its child), so, as for a conflict (conflictVerdict),
 * they decide only within the window.
 */
export function undoWritesBehindTombstones(
  written: readonly { entry: MirrorEntry; version: number }[],
  tombstones: StateLookup,
  indexes: MirrorIndexes,
  { withoutRead = false }: { withoutRead?: boolean } = {},
): WriteAction[] {
  return written
    .filter(({ entry, version }) => {
      const tombstone = tombstones.get(refKey({ index: indexes.tombstones, id: entry.id }));
      if (tombstone === undefined) return false;
      if (withoutRead && tombstone.version !== undefined && isBeyondWindow(tombstone.version, version)) return false;
      return isNewer(tombstone.sequenceNumber ?? MANUAL_SEQUENCE_NUMBER, entry.record.sequenceNumber);
    })
    .map(({ entry, version }) => deleteOf(entry.id, version + 1, entry.position, indexes));
}

/**
 * After tombstones were recorded for REMOVEs that found no document to delete: a document written
 * meanwhile by a writer that had not seen the tombstone yet (a backfill, a repair, a re-drive),
 * and not newer than the REMOVE, is deleted, just above the version read.
 */
export function deletesBehindTombstones(removed: readonly MirrorEntry[], documents: StateLookup, indexes: MirrorIndexes): WriteAction[] {
  return removed.flatMap((entry) => {
    const document = documents.get(refKey({ index: indexes.mirror, id: entry.id }));
    if (document === undefined || isNewer(document.sequenceNumber ?? MANUAL_SEQUENCE_NUMBER, entry.record.sequenceNumber)) return [];
    return [deleteOf(entry.id, (document.version ?? 0) + 1, entry.position, indexes)];
  });
}
