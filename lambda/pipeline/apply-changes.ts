/**
 * Applies a batch of stream records to the search engine: change log, mirror, dead letters.
 *
 * The one code path for the function and for re-drive. It decides nothing about transport (see
 * SearchPort) and nothing about checkpointing: it says which records are safely written (or
 * dead-lettered) and which must be retried. Each round: read the items' states, plan, record
 * tombstones, write the change log and the mirror (one request), undo what raced with a delete;
 * writes that lost a race are planned again next round.
 */
import {
  MalformedRecordError,
  toChangeRecord,
  type ChangeRecord,
  type RawStreamRecord,
  toChangeLogDocument,
  deadLetterId,
  toDeadLetterDocument,
  boundedId,
  documentId,
  KeyMismatchError,
  type KeySchema,
  planMirrorWrites,
  deletesBehindTombstones,
  stateRefs,
  undoWritesBehindTombstones,
  type MirrorEntry,
  type MirrorIndexes,
  type Revision,
  type WriteAction,
  type WriteOutcome,
  changeLogPartition,
} from '../core';
import { mirrorBackingIndex, tombstoneIndex, type IndexNames, type ChangeLogPartitioning } from '../settings';
import { BatchLedger, type BatchCounts, type RecordFailure } from './batch-ledger';
import type { SearchPort } from './search-port';

export interface PipelineSettings {
  readonly indexes: IndexNames;
  readonly keySchema: KeySchema;
  /** The captured table, for records that do not name their source (manual invokes). */
  readonly tableName?: string;
  /** How often to plan again the mirror writes that lost a race with another writer. */
  readonly maxConflictRounds?: number;
  /**
   * Whether this writer may race with a delete of the same item: then every upsert is checked
   * against the tombstones after it is written (one more read per batch). True for operator
   * tools (re-drive, backfill), which write beside the function. The function itself passes
   * false: the event source hands it each item's changes in order, one batch at a time per key,
   * so a newer delete of an item it writes never runs beside it (manual records, which come from
   * outside the stream, are still checked).
   * @default true
   */
  readonly mayRaceWithDeletes?: boolean;
  /** Write the change log (a backfill writes only the mirror unless asked). @default true */
  readonly writeChangeLog?: boolean;
  /** Write the mirror (a re-drive of changes older than the tombstones' retention writes only the change log). @default true */
  readonly writeMirror?: boolean;
  /** `repair`: the records are `cdc verify --repair`'s corrections (see ChangeOrigin). */
  readonly recordOrigin?: 'repair';
  /**
   * `daily`: each change goes to the partition of its creation day (see change-log-partitions.ts),
   * so a redelivery meets its first delivery there and stays a duplicate. Pass what ensureIndexes
   * found, not the raw setting (required: writing to the alias of daily partitions fails).
   */
  readonly changeLogPartitioning: ChangeLogPartitioning;
}

export interface ApplyResult extends BatchCounts {
  readonly records: number;
  /** Records to retry: nothing of theirs may be assumed written. */
  readonly failures: RecordFailure[];
  readonly deadLettered: { position: number; target: string; reason: string }[];
}

/** One write and what to do with its outcome. */
interface Step {
  readonly action: WriteAction;
  readonly settle: (outcome: WriteOutcome) => void;
}

interface ChangeLogEntry {
  readonly position: number;
  readonly record: ChangeRecord;
  readonly storedBecause?: string;
}

const DEFAULT_CONFLICT_ROUNDS = 3;

export async function applyChanges(
  raws: readonly RawStreamRecord[],
  settings: PipelineSettings,
  port: SearchPort,
  now: () => Date = () => new Date(),
): Promise<ApplyResult> {
  const ledger = new BatchLedger(raws);
  const receivedAt = now();
  const indexes: MirrorIndexes = {
    mirror: mirrorBackingIndex(settings.indexes.mirror),
    tombstones: tombstoneIndex(settings.indexes.mirror),
  };

  const parsed: ChangeLogEntry[] = [];
  raws.forEach((raw, position) => {
    try {
      const record = toChangeRecord(raw, { receivedAt, tableName: settings.tableName, origin: settings.recordOrigin });
      ledger.parsed(position, record);
      parsed.push({ position, record });
    } catch (error) {
      if (!(error instanceof MalformedRecordError)) throw error;
      ledger.deadLetter(position, { target: 'record', errorType: 'malformed_record', reason: error.message });
    }
  });

  let mirrorPending: MirrorEntry[] = [];
  for (const { position, record } of settings.writeMirror === false ? [] : parsed) {
    try {
      mirrorPending.push({ position, record, id: documentId(record.keys, settings.keySchema) });
    } catch (error) {
      if (!(error instanceof KeyMismatchError)) throw error;
      ledger.deadLetter(position, { target: 'mirror', errorType: 'key_schema_mismatch', reason: error.message });
    }
  }

  let changeLogPending: ChangeLogEntry[] = settings.writeChangeLog === false ? [] : parsed;
  const maxRounds = settings.maxConflictRounds ?? DEFAULT_CONFLICT_ROUNDS;
  for (let round = 0; mirrorPending.length > 0 || changeLogPending.length > 0; round++) {
    if (round > maxRounds) {
      ledger.retry(
        mirrorPending.map((entry) => entry.position),
        'mirror: still conflicting with another writer after re-planning',
      );
      ledger.retry(
        changeLogPending.map((entry) => entry.position),
        'change log: not accepted after re-planning',
      );
      break;
    }
    if (round > 0) ledger.counts.conflictRounds++;
    const nextMirror: MirrorEntry[] = [];
    const nextChangeLog: ChangeLogEntry[] = [];

    // Phase 1: what the mirror holds now, and the plan. The change-log documents are built
    // while the engine answers.
    let writes: ReturnType<typeof planMirrorWrites>['writes'] = [];
    const reading = mirrorPending.length > 0 ? port.readStates(stateRefs(mirrorPending, indexes)) : undefined;
    reading?.catch(() => undefined); // handled below; never an unhandled rejection meanwhile
    const changeLogSteps = changeLogPending.map((entry) => changeLogStep(entry, settings, receivedAt, ledger, nextChangeLog));
    if (reading) {
      try {
        const states = await reading;
        const plan = planMirrorWrites(mirrorPending, states, indexes);
        ledger.counts.mirrorSuperseded += plan.superseded.length;
        writes = plan.writes;
      } catch (error) {
        ledger.retry(
          mirrorPending.map((entry) => entry.position),
          `mirror: reading current state failed: ${(error as Error).message}`,
        );
      }
    }

    // Phase 2: tombstones (a delete is recorded before it is done).
    const tombstoned = new Set<MirrorEntry>();
    await send(
      port,
      writes
        .filter((write) => write.tombstone !== undefined)
        .map(({ entry, tombstone }) => ({
          action: tombstone!,
          settle: (outcome: WriteOutcome) => {
            if (outcome.kind === 'written') tombstoned.add(entry);
            else settleLost(outcome, entry, ledger, nextMirror, 'tombstone');
          },
        })),
    );

    // Phase 3: change-log documents and mirror documents (puts, and deletes of items whose
    // tombstone is recorded), in one request.
    const upserted: { entry: MirrorEntry; revision: Revision }[] = [];
    const removedUnseen: MirrorEntry[] = [];
    await send(port, [
      ...changeLogSteps,
      ...writes
        .filter(({ entry, tombstone }) => tombstone === undefined || tombstoned.has(entry))
        .flatMap(({ entry, mirror }): Step[] => {
          if (mirror === undefined) {
            ledger.counts.mirrorDeleted++; // nothing to delete: the tombstone is the whole change
            if (tombstoned.has(entry)) removedUnseen.push(entry);
            return [];
          }
          return [
            {
              action: mirror,
              settle: (outcome) => {
                if (outcome.kind !== 'written') return settleLost(outcome, entry, ledger, nextMirror, 'mirror');
                if (mirror.operation === 'delete') return void ledger.counts.mirrorDeleted++;
                ledger.counts.mirrorWritten++;
                if (entry.storedBecause !== undefined) ledger.counts.unindexed++;
                if (outcome.revision !== undefined) upserted.push({ entry, revision: outcome.revision });
              },
            },
          ];
        }),
    ]);

    // Phase 4: each side of a race between an upsert and a delete of one item checks the other
    // after writing: an upsert against tombstones recorded meanwhile, a delete that found nothing
    // against documents written meanwhile. Whatever raced is taken back.
    const mayHaveRaced =
      settings.mayRaceWithDeletes === false ? upserted.filter(({ entry }) => entry.record.origin !== 'stream') : upserted;
    if (mayHaveRaced.length + removedUnseen.length > 0) await takeBackRacedWrites(port, mayHaveRaced, removedUnseen, indexes, ledger);

    mirrorPending = nextMirror;
    changeLogPending = nextChangeLog;
  }

  await writeDeadLetters(port, ledger, settings.indexes.deadLetter, now());
  return { records: raws.length, failures: ledger.failures(), deadLettered: ledger.deadLettered(), ...ledger.counts };
}

function changeLogStep(
  entry: ChangeLogEntry,
  settings: PipelineSettings,
  receivedAt: Date,
  ledger: BatchLedger,
  next: ChangeLogEntry[],
): Step {
  const document = toChangeLogDocument(
    entry.record,
    receivedAt,
    entry.storedBecause === undefined ? 'indexed' : 'stored',
    entry.storedBecause,
  );
  const action: WriteAction = {
    operation: 'put',
    role: 'change-log',
    index:
      settings.changeLogPartitioning === 'daily'
        ? changeLogPartition(settings.indexes.changeLog, entry.record.approximateCreationTime)
        : settings.indexes.changeLog,
    id: boundedId(entry.record.eventId),
    condition: { kind: 'absent' },
    document: JSON.stringify(document),
    records: [entry.position],
  };
  return {
    action,
    settle: (outcome) => {
      switch (outcome.kind) {
        case 'written':
          ledger.counts.changeLogWritten++;
          if (document.unindexed !== undefined) ledger.counts.unindexed++;
          return;
        case 'exists':
          ledger.counts.duplicates++; // ids are event ids: this exact change is there already
          return;
        case 'unindexable':
          if (entry.storedBecause === undefined) return void next.push({ ...entry, storedBecause: outcome.reason });
          return deadLetterOf(outcome, action, entry.position, ledger);
        default:
          return settleFailure(outcome, action, entry.position, ledger);
      }
    },
  };
}

/** A mirror or tombstone write that was not done: plan again, store unindexed, retry or dead-letter. */
function settleLost(
  outcome: WriteOutcome,
  entry: MirrorEntry,
  ledger: BatchLedger,
  next: MirrorEntry[],
  target: 'mirror' | 'tombstone',
): void {
  switch (outcome.kind) {
    case 'exists':
    case 'changed':
      return void next.push(entry);
    case 'unindexable':
      if (target === 'mirror' && entry.storedBecause === undefined) return void next.push({ ...entry, storedBecause: outcome.reason });
      return ledger.deadLetter(entry.position, { target: 'mirror', errorType: outcome.errorType, reason: outcome.reason });
    default:
      return settleFailure(outcome, undefined, entry.position, ledger);
  }
}

function settleFailure(outcome: WriteOutcome, action: WriteAction | undefined, position: number, ledger: BatchLedger): void {
  if (outcome.kind === 'retry') return ledger.retry([position], `${action?.role ?? 'mirror'}: ${outcome.reason}`);
  if (outcome.kind === 'refused' || outcome.kind === 'unindexable') return deadLetterOf(outcome, action, position, ledger);
}

function deadLetterOf(
  outcome: Extract<WriteOutcome, { kind: 'refused' | 'unindexable' }>,
  action: WriteAction | undefined,
  position: number,
  ledger: BatchLedger,
): void {
  ledger.deadLetter(position, {
    target: action?.role === 'change-log' ? 'change-log' : 'mirror',
    targetIndex: action?.index,
    documentId: action?.id,
    errorType: outcome.errorType,
    reason: outcome.reason,
    status: outcome.kind === 'refused' ? outcome.status : undefined,
  });
}

/** One read for both checks of phase 4, and one request for what they take back. */
async function takeBackRacedWrites(
  port: SearchPort,
  upserted: readonly { entry: MirrorEntry; revision: Revision }[],
  removed: readonly MirrorEntry[],
  indexes: MirrorIndexes,
  ledger: BatchLedger,
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

async function writeDeadLetters(port: SearchPort, ledger: BatchLedger, index: string, failedAt: Date): Promise<void> {
  await send(
    port,
    ledger.pendingDeadLetters().map(({ position, letter }) => ({
      action: {
        operation: 'put',
        role: 'dead-letter',
        index,
        id: deadLetterId(letter),
        condition: { kind: 'any' },
        document: JSON.stringify(toDeadLetterDocument(letter, failedAt)),
        records: [position],
      },
      settle: (outcome: WriteOutcome) => {
        if (outcome.kind !== 'written') {
          ledger.retry([position], `dead-letter: ${'reason' in outcome ? outcome.reason : outcome.kind}`);
        }
      },
    })),
  );
}

async function send(port: SearchPort, steps: readonly Step[]): Promise<void> {
  if (steps.length === 0) return;
  const outcomes = await port.write(steps.map((step) => step.action));
  steps.forEach((step, position) => step.settle(outcomes[position]));
}
