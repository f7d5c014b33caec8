/**
 * One round of a batch. The stream's changes (when the settings allow) are written without a read,
 * at the version of their creation time; the others, and changes whose write conflicted within
 * the skew window, are planned from a read of what the mirror holds. Then: the read path's
 * tombstones first, then the change log and every mirror write (of a REMOVE, its tombstone), in a few requests sent one after
 * the other without waiting (each slice's documents are built while the engine takes the one
 * before), with the tombstones of the unread upserts read beside them; last, what a newer
 * tombstone or a delete that raced says must be taken back, beside the deletes of the REMOVEs whose
 * tombstone is now recorded. What conflicted, or must be placed again, goes to the next round.
 */
import {
  MirrorMapping,
  NO_MAPPED_FIELDS,
  placedPaths,
  newestPerDocument,
  planMirrorWrites,
  planWriteWithoutRead,
  stateRefs,
  type MirrorEntry,
  type PlannedWrite,
  type StateLookup,
  type WriteOutcome,
} from '../core';
import { takeBackWhatRaced, tombstoneCheck, type Written } from './take-back';
import { changeLogStep, send, settleLost, type Batch, type ChangeLogEntry, type Step } from './write-steps';
import { removeStepWithoutRead, upsertStepWithoutRead } from './unread-steps';

/** What is still to write. */
export interface Pending {
  readonly mirror: readonly MirrorEntry[];
  readonly changeLog: readonly ChangeLogEntry[];
}

interface Next {
  readonly mirror: MirrorEntry[];
  readonly changeLog: ChangeLogEntry[];
}

export async function applyRound(pending: Pending, batch: Batch): Promise<Pending> {
  const next: Next = { mirror: [], changeLog: [] };
  const unread = pending.mirror.filter((entry) => writtenWithoutRead(entry, batch));
  const read = pending.mirror.filter((entry) => !writtenWithoutRead(entry, batch));
  const reading = readMirror(pending.mirror, read, batch);
  const plans = await planMirror(read, unread, reading, batch);
  const tombstoned = await writeTombstones(plans.read, batch, next.mirror);
  const written: Written = { upserted: [], removedUnseen: [], upsertedUnread: [], deletes: [] };
  const checking = tombstoneCheck(plans.unread, batch);
  const sending: Promise<void>[] = [];
  for (const slice of slicesOf(pending.changeLog, plans.unread, batch.slices ?? SLICES)) {
    // Each slice's documents are built while the engine takes the slices before it.
    const steps = [
      ...slice.changeLog.map((entry) => changeLogStep(entry, batch, next.changeLog)),
      ...(sending.length === 0 ? readPathSteps(plans.read, tombstoned, batch, next.mirror, written) : []),
      ...unreadSteps(slice.unread.map(plans.place), batch, next.mirror, written),
    ];
    sending.push(send(batch.port, steps));
    await new Promise((resolve) => setImmediate(resolve)); // let the request leave before building the next slice
  }
  await Promise.all(sending);
  await Promise.all([send(batch.port, written.deletes), takeBackWhatRaced(written, checking, batch)]);
  return next;
}

/** Records per request slice: a batch goes in a few requests, so building one overlaps with the engine writing the one before. */
const SLICES = 4;

/**
 * A batch goes in about SLICES requests however many mirrors it writes: each mirror's rounds take
 * a share of them. More, smaller requests would cost more than they overlap (the engine syncs its
 * translog once per request and index).
 */
export function slicesPerMirror(mirrors: number): number {
  return Math.max(1, Math.floor(SLICES / mirrors));
}
const MIN_SLICE = 50;

/** The change-log entries and the unread mirror entries, cut into slices of the same records' count. */
function slicesOf(
  changeLog: readonly ChangeLogEntry[],
  unread: readonly MirrorEntry[],
  count: number,
): { changeLog: readonly ChangeLogEntry[]; unread: readonly MirrorEntry[] }[] {
  const size = Math.max(MIN_SLICE, Math.ceil(Math.max(changeLog.length, unread.length) / count));
  const slices = [];
  for (let start = 0; start === 0 || start < Math.max(changeLog.length, unread.length); start += size)
    slices.push({ changeLog: changeLog.slice(start, start + size), unread: unread.slice(start, start + size) });
  return slices;
}

/** A stream change (or a snapshot) goes without a read, when the settings say so, unless its write met a conflict that only the sequence numbers settle. */
function writtenWithoutRead({ record, readBeforeWrite }: MirrorEntry, { settings }: Batch): boolean {
  if (readBeforeWrite === true) return false;
  if (record.origin === 'stream') return settings.writeStreamChangesWithoutRead === true;
  return record.origin === 'snapshot' && settings.writeSnapshotsWithoutRead === true;
}

interface MirrorView {
  readonly states: StateLookup;
  readonly mapping: MirrorMapping;
}

/**
 * The states of the entries planned from a read, and the mirror's mapping at the paths the puts
 * bring (the port reads the engine only for paths it does not know yet). Started at once;
 * awaited by planMirror.
 */
function readMirror(all: readonly MirrorEntry[], read: readonly MirrorEntry[], { port, indexes }: Batch): Promise<MirrorView> | undefined {
  if (all.length === 0) return undefined;
  const paths = placedPaths(all);
  const reading = Promise.all([
    read.length === 0 ? new Map() : port.readStates(stateRefs(read, indexes)),
    paths.size === 0 ? NO_MAPPED_FIELDS : port.mappedFields(indexes.mirror, paths),
  ]).then(([states, fields]) => ({ states, mapping: new MirrorMapping(fields) }));
  reading.catch(() => undefined); // handled by planMirror; never an unhandled rejection meanwhile
  return reading;
}

interface Plans {
  readonly read: PlannedWrite[];
  /** The newest unread entry of each item, planned slice by slice (place), on the same mapping, in order. */
  readonly unread: MirrorEntry[];
  readonly place: (entry: MirrorEntry) => PlannedWrite;
}

const NO_PLANS: Plans = { read: [], unread: [], place: () => undefined as never };

/** The read path's plan, and the unread entries to plan as they are sent, their puts placed on one mapping in the order sent. */
async function planMirror(
  read: readonly MirrorEntry[],
  unread: readonly MirrorEntry[],
  reading: Promise<MirrorView> | undefined,
  batch: Batch,
): Promise<Plans> {
  if (reading === undefined) return NO_PLANS;
  try {
    const { states, mapping } = await reading;
    const plan = planMirrorWrites(read, states, batch.indexes, mapping);
    const newest = newestPerDocument(unread);
    batch.ledger.counts.mirrorSuperseded += plan.superseded.length + unread.length - newest.length;
    return { read: plan.writes, unread: newest, place: (entry) => planWriteWithoutRead(entry, batch.indexes, mapping) };
  } catch (error) {
    batch.ledger.retry(
      [...read, ...unread].map((entry) => entry.position),
      `mirror: reading current state failed: ${(error as Error).message}`,
    );
    return NO_PLANS;
  }
}

/** The read path's tombstones first: a delete is recorded before it is done. Returns the entries whose tombstone is written. */
async function writeTombstones(writes: readonly PlannedWrite[], batch: Batch, next: MirrorEntry[]): Promise<Set<MirrorEntry>> {
  const tombstoned = new Set<MirrorEntry>();
  await send(
    batch.port,
    writes
      .filter((write) => write.tombstone !== undefined)
      .map(({ entry, tombstone }) => ({
        action: tombstone!,
        settle: (outcome: WriteOutcome) => {
          if (outcome.kind === 'written') tombstoned.add(entry);
          else settleLost(outcome, entry, batch, next, tombstone!);
        },
      })),
  );
  return tombstoned;
}

/** The read path's mirror writes: puts, and deletes of items whose tombstone is recorded. */
function readPathSteps(
  writes: readonly PlannedWrite[],
  tombstoned: ReadonlySet<MirrorEntry>,
  batch: Batch,
  next: MirrorEntry[],
  written: Written,
): Step[] {
  return writes
    .filter(({ entry, tombstone }) => tombstone === undefined || tombstoned.has(entry))
    .flatMap((write): Step[] => {
      if (write.mirror !== undefined) return [readPathMirrorStep(write, batch, next, written)];
      batch.ledger.counts.mirrorDeleted++; // nothing to delete: the tombstone is the whole change
      if (tombstoned.has(write.entry)) written.removedUnseen.push(write.entry);
      return [];
    });
}

function readPathMirrorStep(write: PlannedWrite, batch: Batch, next: MirrorEntry[], written: Written): Step {
  const { entry, mirror } = write;
  return {
    action: mirror!,
    settle: (outcome) => {
      if (outcome.kind !== 'written') return settleLost(outcome, entry, batch, next, mirror!);
      if (mirror!.operation === 'delete') return void batch.ledger.counts.mirrorDeleted++;
      countPut(write, batch);
      if (mirror!.condition.kind === 'version') written.upserted.push({ entry, version: mirror!.condition.version });
    },
  };
}

/** The unread plan's writes: a put each, a tombstone for each REMOVE (its delete follows once it is recorded). */
function unreadSteps(writes: readonly PlannedWrite[], batch: Batch, next: MirrorEntry[], written: Written): Step[] {
  return writes.flatMap((write) =>
    write.tombstone === undefined
      ? [upsertStepWithoutRead(write, batch, next, written, () => countPut(write, batch))]
      : [removeStepWithoutRead(write, batch, next, written.deletes)],
  );
}

/** A put done: counted, and what it mapped is known from now on. */
export function countPut({ placed }: PlannedWrite, { ledger, port, indexes }: Batch): void {
  ledger.counts.mirrorWritten++;
  if (placed?.unindexed) ledger.counts.unindexed++;
  if (placed !== undefined && placed.newFields.size > 0) port.fieldsMapped(indexes.mirror, placed.newFields);
}
