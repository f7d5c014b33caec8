/**
 * One round of a batch: read what the mirror holds (the items' states, and its mapping when the
 * batch brings a path it does not know), plan, record the tombstones, write the change log and
 * the mirror (one request), take back what raced with a delete. What lost a race, or must be
 * placed again, goes to the next round.
 */
import {
  deletesBehindTombstones,
  MirrorMapping,
  NO_MAPPED_FIELDS,
  placedPaths,
  planMirrorWrites,
  stateRefs,
  undoWritesBehindTombstones,
  type MappedFields,
  type MirrorEntry,
  type PlannedWrite,
  type Revision,
  type StateLookup,
  type WriteOutcome,
} from '../core';
import { changeLogStep, send, settleLost, type Batch, type ChangeLogEntry, type Step } from './write-steps';

/** What is still to write. */
export interface Pending {
  readonly mirror: readonly MirrorEntry[];
  readonly changeLog: readonly ChangeLogEntry[];
}

interface Next {
  readonly mirror: MirrorEntry[];
  readonly changeLog: ChangeLogEntry[];
}

/** Upserts written this round (to check against tombstones) and deletes that found nothing (to check against documents). */
interface Written {
  readonly upserted: { entry: MirrorEntry; revision: Revision }[];
  readonly removedUnseen: MirrorEntry[];
}

export async function applyRound(pending: Pending, batch: Batch): Promise<Pending> {
  const next: Next = { mirror: [], changeLog: [] };
  const reading = readMirror(pending.mirror, batch);
  // The change-log documents are built while the engine answers.
  const changeLogSteps = pending.changeLog.map((entry) => changeLogStep(entry, batch, next.changeLog));
  const writes = await planMirror(pending.mirror, reading, batch);
  const tombstoned = await writeTombstones(writes, batch, next.mirror);
  const written = await writeDocuments(changeLogSteps, writes, tombstoned, batch, next.mirror);
  await takeBackWhatRaced(written, batch);
  return next;
}

interface MirrorView {
  readonly states: StateLookup;
  readonly fields: MappedFields;
}

/**
 * The items' states, and the mirror's mapping at the paths the puts bring (the port reads the
 * engine only for paths it does not know yet). Started at once; awaited by planMirror.
 */
function readMirror(entries: readonly MirrorEntry[], { port, indexes }: Batch): Promise<MirrorView> | undefined {
  if (entries.length === 0) return undefined;
  const paths = placedPaths(entries);
  const reading = Promise.all([
    port.readStates(stateRefs(entries, indexes)),
    paths.size === 0 ? NO_MAPPED_FIELDS : port.mappedFields(indexes.mirror, paths),
  ]).then(([states, fields]) => ({ states, fields }));
  reading.catch(() => undefined); // handled by planMirror; never an unhandled rejection meanwhile
  return reading;
}

/** The mirror writes, each put placed on the mapping in the order the writes are sent. */
async function planMirror(
  entries: readonly MirrorEntry[],
  reading: Promise<MirrorView> | undefined,
  batch: Batch,
): Promise<PlannedWrite[]> {
  if (reading === undefined) return [];
  try {
    const { states, fields } = await reading;
    const plan = planMirrorWrites(entries, states, batch.indexes, new MirrorMapping(fields));
    batch.ledger.counts.mirrorSuperseded += plan.superseded.length;
    return plan.writes;
  } catch (error) {
    batch.ledger.retry(
      entries.map((entry) => entry.position),
      `mirror: reading current state failed: ${(error as Error).message}`,
    );
    return [];
  }
}

/** Tombstones first: a delete is recorded before it is done. Returns the entries whose tombstone is written. */
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
          else settleLost(outcome, entry, batch, next, 'tombstone');
        },
      })),
  );
  return tombstoned;
}

/** Change-log documents and mirror documents (puts, and deletes of items whose tombstone is recorded), in one request. */
async function writeDocuments(
  changeLogSteps: readonly Step[],
  writes: readonly PlannedWrite[],
  tombstoned: ReadonlySet<MirrorEntry>,
  batch: Batch,
  next: MirrorEntry[],
): Promise<Written> {
  const written: Written = { upserted: [], removedUnseen: [] };
  const mirrorSteps = writes
    .filter(({ entry, tombstone }) => tombstone === undefined || tombstoned.has(entry))
    .flatMap((write): Step[] => {
      if (write.mirror !== undefined) return [mirrorStep(write, batch, next, written)];
      batch.ledger.counts.mirrorDeleted++; // nothing to delete: the tombstone is the whole change
      if (tombstoned.has(write.entry)) written.removedUnseen.push(write.entry);
      return [];
    });
  await send(batch.port, [...changeLogSteps, ...mirrorSteps]);
  return written;
}

function mirrorStep({ entry, mirror, placed }: PlannedWrite, batch: Batch, next: MirrorEntry[], written: Written): Step {
  const { ledger, port, indexes } = batch;
  return {
    action: mirror!,
    settle: (outcome) => {
      if (outcome.kind !== 'written') return settleLost(outcome, entry, batch, next, 'mirror');
      if (mirror!.operation === 'delete') return void ledger.counts.mirrorDeleted++;
      ledger.counts.mirrorWritten++;
      if (placed?.unindexed) ledger.counts.unindexed++;
      if (placed !== undefined && placed.newFields.size > 0) port.fieldsMapped(indexes.mirror, placed.newFields);
      if (outcome.revision !== undefined) written.upserted.push({ entry, revision: outcome.revision });
    },
  };
}

/**
 * Each side of a race between an upsert and a delete of one item checks the other after writing:
 * an upsert against tombstones recorded meanwhile, a delete that found nothing against documents
 * written meanwhile. Whatever raced is taken back. The function's own stream changes cannot race
 * (see PipelineSettings.mayRaceWithDeletes): only its manual records are checked.
 */
async function takeBackWhatRaced({ upserted, removedUnseen }: Written, batch: Batch): Promise<void> {
  const mayHaveRaced =
    batch.settings.mayRaceWithDeletes === false ? upserted.filter(({ entry }) => entry.record.origin !== 'stream') : upserted;
  if (mayHaveRaced.length + removedUnseen.length > 0) await takeBackRacedWrites(mayHaveRaced, removedUnseen, batch);
}

/** One read for both checks, and one request for what they take back. */
async function takeBackRacedWrites(
  upserted: readonly { entry: MirrorEntry; revision: Revision }[],
  removed: readonly MirrorEntry[],
  { port, indexes, ledger }: Batch,
): Promise<void> {
  let states;
  try {
    states = await port.readStates([
      ...upserted.map(({ entry }) => ({ index: indexes.tombstones, id: entry.id })),
      ...removed.map((entry) => ({ index: indexes.mirror, id: entry.id })),
    ]);
  } catch (error) {
    const positions = [...upserted.map(({ entry }) => entry.position), ...removed.map((entry) => entry.position)];
    return ledger.retry(positions, `mirror: checking for an upsert and a delete that raced failed: ${(error as Error).message}`);
  }
  await send(
    port,
    [...undoWritesBehindTombstones(upserted, states, indexes), ...deletesBehindTombstones(removed, states, indexes)].map((action) => ({
      action,
      // `changed`: written again since, by a writer that checks after its own write by the same rules.
      settle: (outcome) => {
        if (outcome.kind === 'retry')
          ledger.retry(action.records, `mirror: taking back a write that raced with a delete failed: ${outcome.reason}`);
      },
    })),
  );
}
