/**
 * Applies a batch of stream records to the search engine: change log, mirror, dead letters.
 *
 * The one code path for the function and for re-drive. It decides nothing about transport (see
 * SearchPort) and nothing about checkpointing: it says which records are safely written (or
 * dead-lettered) and which must be retried. Parse the records, then rounds (see batch-round.ts:
 * read, plan, tombstones, documents, take back what raced) until nothing is pending, then the
 * dead letters; writes that lost a race are planned again next round.
 */
import {
  documentId,
  KeyMismatchError,
  MalformedRecordError,
  rawRecordWithout,
  recordWithout,
  takesChange,
  toChangeRecord,
  type ChangeRecord,
  type RawStreamRecord,
  type Routing,
} from '../core';
import { BatchLedger, type BatchCounts, type RecordFailure } from './batch-ledger';
import { applyRound, slicesPerMirror, type Pending } from './batch-round';
import type { PipelineSettings } from './pipeline-settings';
import type { SearchPort } from './search-port';
import { mirrorTargets, type IdentifiedChange } from './mirror-targets';
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
  const routing = settings.compiledRouting;
  // The change log's excluded paths are nowhere: not even in a dead letter's raw record.
  const ledger = new BatchLedger(routing?.exclusion ? raws.map((raw) => rawRecordWithout(raw, routing.exclusion)) : raws);
  const receivedAt = now();
  const parsed = parseRecords(raws, settings, ledger, receivedAt);
  const changeLog = settings.writeChangeLog === false ? [] : parsed.filter(({ record }) => changeLogTakes(routing, record));
  const targets = mirrorTargets(
    settings.writeMirror === false ? [] : identified(parsed, settings, ledger),
    settings.indexes.mirror,
    routing,
    ledger,
  );
  // Each mirror's rounds run beside the others'; the change log goes with the first mirror's. A
  // mirror is routed once the requests of those before it have left, so its CPU work overlaps
  // with the engine's.
  await Promise.all(
    targets.map(async (target, which) => {
      if (which > 0) await new Promise((resolve) => setImmediate(resolve));
      const pending = { mirror: target.entries(), changeLog: which === 0 ? changeLog : [] };
      const slices = slicesPerMirror(targets.length);
      await applyRounds(pending, { settings, port, ledger, receivedAt, indexes: target.indexes, slices });
    }),
  );
  await writeDeadLetters(port, ledger, settings.indexes.deadLetter, now());
  return { records: raws.length, failures: ledger.failures(), deadLettered: ledger.deadLettered(), ...ledger.counts };
}

/** Rounds until nothing is pending: writes that lost a race are planned again, up to the settings' limit. */
async function applyRounds(pending: Pending, batch: Batch): Promise<void> {
  const maxRounds = batch.settings.maxConflictRounds ?? DEFAULT_CONFLICT_ROUNDS;
  for (let round = 0; pending.mirror.length > 0 || pending.changeLog.length > 0; round++) {
    if (round > maxRounds) return giveUp(pending, batch.ledger);
    if (round > 0) batch.ledger.counts.conflictRounds++;
    pending = await applyRound(pending, batch);
  }
}

function changeLogTakes(routing: Routing | undefined, record: ChangeRecord): boolean {
  return routing === undefined || takesChange(routing.changeLogOperations, record);
}

/** Stream records to changes (without the change log's excluded paths); a malformed one is dead-lettered (it can be placed nowhere). */
function parseRecords(
  raws: readonly RawStreamRecord[],
  settings: PipelineSettings,
  ledger: BatchLedger,
  receivedAt: Date,
): ChangeLogEntry[] {
  const parsed: ChangeLogEntry[] = [];
  raws.forEach((raw, position) => {
    try {
      const change = toChangeRecord(raw, { receivedAt, tableName: settings.tableName, origin: settings.recordOrigin });
      const record = recordWithout(change, settings.compiledRouting?.exclusion);
      ledger.parsed(position, record);
      parsed.push({ position, record });
    } catch (error) {
      if (!(error instanceof MalformedRecordError)) throw error;
      ledger.deadLetter(position, { target: 'record', errorType: 'malformed_record', reason: error.message });
    }
  });
  return parsed;
}

/** The changes with their document ids; keys that do not match the key schema are dead-lettered. */
function identified(parsed: readonly ChangeLogEntry[], settings: PipelineSettings, ledger: BatchLedger): IdentifiedChange[] {
  const entries: IdentifiedChange[] = [];
  for (const { position, record } of parsed) {
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
