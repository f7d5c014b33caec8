/**
 * Applies a batch of stream records to the search engine: change log, mirror, dead letters.
 *
 * The one code path for the function and for re-drive. It decides nothing about transport (see
 * SearchPort) and nothing about checkpointing: it says which records are safely written (or
 * dead-lettered) and which must be retried. Parse the records, then rounds (see batch-round.ts:
 * read, plan, tombstones, documents, take back what raced) until nothing is pending, then the
 * dead letters; writes that lost a race are planned again next round.
 */
import { MalformedRecordError, toChangeRecord, type RawStreamRecord, documentId, KeyMismatchError, type MirrorEntry } from '../core';
import { mirrorBackingIndex, tombstoneIndex } from '../settings';
import { BatchLedger, type BatchCounts, type RecordFailure } from './batch-ledger';
import { applyRound, type Pending } from './batch-round';
import type { PipelineSettings } from './pipeline-settings';
import type { SearchPort } from './search-port';
import { writeDeadLetters, type Batch, type ChangeLogEntry } from './write-steps';

export { AS_THE_FUNCTION_WRITES, type PipelineSettings } from './pipeline-settings';

export interface ApplyResult extends BatchCounts {
  readonly records: number;
  /** Records to retry: nothing of theirs may be assumed written. */
  readonly failures: RecordFailure[];
  readonly deadLettered: { position: number; target: string; reason: string }[];
}

const DEFAULT_CONFLICT_ROUNDS = 3;

export async function applyChanges(
  raws: readonly RawStreamRecord[],
  settings: PipelineSettings,
  port: SearchPort,
  now: () => Date = () => new Date(),
): Promise<ApplyResult> {
  const ledger = new BatchLedger(raws);
  const indexes = { mirror: mirrorBackingIndex(settings.indexes.mirror), tombstones: tombstoneIndex(settings.indexes.mirror) };
  const batch: Batch = { settings, port, ledger, receivedAt: now(), indexes };
  const parsed = parseRecords(raws, batch);
  let pending: Pending = { mirror: mirrorEntries(parsed, batch), changeLog: settings.writeChangeLog === false ? [] : parsed };
  const maxRounds = settings.maxConflictRounds ?? DEFAULT_CONFLICT_ROUNDS;
  for (let round = 0; pending.mirror.length > 0 || pending.changeLog.length > 0; round++) {
    if (round > maxRounds) {
      giveUp(pending, ledger);
      break;
    }
    if (round > 0) ledger.counts.conflictRounds++;
    pending = await applyRound(pending, batch);
  }
  await writeDeadLetters(port, ledger, settings.indexes.deadLetter, now());
  return { records: raws.length, failures: ledger.failures(), deadLettered: ledger.deadLettered(), ...ledger.counts };
}

/** Stream records to changes; a malformed one is dead-lettered (it can be placed nowhere). */
function parseRecords(raws: readonly RawStreamRecord[], { settings, ledger, receivedAt }: Batch): ChangeLogEntry[] {
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
  return parsed;
}

/** The changes the mirror takes, with their document ids; keys that do not match the key schema are dead-lettered. */
function mirrorEntries(parsed: readonly ChangeLogEntry[], { settings, ledger }: Batch): MirrorEntry[] {
  const entries: MirrorEntry[] = [];
  for (const { position, record } of settings.writeMirror === false ? [] : parsed) {
    try {
      entries.push({ position, record, id: documentId(record.keys, settings.keySchema) });
    } catch (error) {
      if (!(error instanceof KeyMismatchError)) throw error;
      ledger.deadLetter(position, { target: 'mirror', errorType: 'key_schema_mismatch', reason: error.message });
    }
  }
  return entries;
}

/** Still pending after every round: retried, with the reason. */
function giveUp(pending: Pending, ledger: BatchLedger): void {
  ledger.retry(
    pending.mirror.map((entry) => entry.position),
    'mirror: still conflicting with another writer after re-planning',
  );
  ledger.retry(
    pending.changeLog.map((entry) => entry.position),
    'change log: not accepted after re-planning',
  );
}
