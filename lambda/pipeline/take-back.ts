/**
 * What must be taken back after the mirror writes: an upsert behind a newer tombstone (a REMOVE
 * whose delete the engine no longer remembers, or one that raced with it) is deleted again, and a
 * REMOVE that found no document deletes one written meanwhile. The upserts written without a read
 * are checked by a tombstone read sent beside their write (read again after it if the write took
 * long, see TOMBSTONE_CHECK_LEAD_LIMIT_MS); the read path's by one read after its writes.
 */
import {
  deletesBehindTombstones,
  TOMBSTONE_CHECK_LEAD_LIMIT_MS,
  tombstoneRefs,
  undoWritesBehindTombstones,
  type DocumentRef,
  type MirrorEntry,
  type StateLookup,
} from '../core';
import { send, type Batch, type Step } from './write-steps';

/** Upserts written this round (to check against tombstones) and read-path deletes that found nothing (to check against documents). */
export interface Written {
  readonly upserted: { entry: MirrorEntry; version: number }[];
  readonly removedUnseen: MirrorEntry[];
  readonly upsertedUnread: { entry: MirrorEntry; version: number }[];
  /** Deletes of REMOVEs written without a read whose tombstone is recorded: sent after the batch's writes. */
  readonly deletes: Step[];
}

/** The tombstone read sent beside the unread upserts' write. */
export interface TombstoneCheck {
  readonly startedAt: number;
  readonly reading: Promise<StateLookup>;
}

export function tombstoneCheck(unread: readonly MirrorEntry[], { port, indexes }: Batch): TombstoneCheck | undefined {
  const refs = tombstoneRefs(unread, indexes);
  if (refs.length === 0) return undefined;
  const reading = port.readStates(refs);
  reading.catch(() => undefined); // handled by takeBackWhatRaced; never an unhandled rejection meanwhile
  return { startedAt: Date.now(), reading };
}

/**
 * The read path's stream changes in the function cannot race with a delete (see
 * PipelineSettings.mayRaceWithDeletes): of its upserts, only the manual records are checked.
 */
export async function takeBackWhatRaced(written: Written, check: TombstoneCheck | undefined, batch: Batch): Promise<void> {
  const { port, indexes, ledger, settings } = batch;
  const upserted =
    settings.mayRaceWithDeletes === false ? written.upserted.filter(({ entry }) => entry.record.origin !== 'stream') : written.upserted;
  const checked = [...upserted, ...written.upsertedUnread];
  if (checked.length + written.removedUnseen.length === 0) return;
  let states: StateLookup;
  try {
    states = await statesToCheck(upserted, written, check, batch);
  } catch (error) {
    const positions = [...checked.map(({ entry }) => entry.position), ...written.removedUnseen.map((entry) => entry.position)];
    return ledger.retry(positions, `mirror: checking the writes against the tombstones failed: ${(error as Error).message}`);
  }
  const actions = [
    ...undoWritesBehindTombstones(upserted, states, indexes),
    ...undoWritesBehindTombstones(written.upsertedUnread, states, indexes, { withoutRead: true }),
    ...deletesBehindTombstones(written.removedUnseen, states, indexes),
  ];
  await send(
    port,
    actions.map((action) => ({
      action,
      // `stale`: written again since, at a higher version, by a writer that checks by the same rules.
      settle: (outcome) => {
        if (outcome.kind === 'retry')
          ledger.retry(action.records, `mirror: taking back a write behind a tombstone failed: ${outcome.reason}`);
      },
    })),
  );
}

/** The tombstones of the checked upserts and the documents of the unseen deletes: the early read's answer, and one read now. */
async function statesToCheck(
  upserted: readonly { entry: MirrorEntry }[],
  written: Written,
  check: TombstoneCheck | undefined,
  { port, indexes }: Batch,
): Promise<StateLookup> {
  const early = check !== undefined && Date.now() - check.startedAt <= TOMBSTONE_CHECK_LEAD_LIMIT_MS ? check : undefined;
  const tombstonesOf = (checked: readonly { entry: MirrorEntry }[]) =>
    tombstoneRefs(
      checked.map(({ entry }) => entry),
      indexes,
    );
  const refs: DocumentRef[] = [
    ...tombstonesOf(upserted),
    ...(early === undefined ? tombstonesOf(written.upsertedUnread) : []),
    ...written.removedUnseen.map((entry) => ({ index: indexes.mirror, id: entry.id })),
  ];
  const [earlyStates, lateStates] = await Promise.all([
    written.upsertedUnread.length > 0 && early !== undefined ? early.reading : new Map(),
    refs.length > 0 ? port.readStates(refs) : new Map(),
  ]);
  return new Map([...earlyStates, ...lateStates]);
}
