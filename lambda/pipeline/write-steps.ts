/**
 * Writes and what their outcomes mean for the batch: written (counted), lost a race (planned
 * again), refused by the mapping (placed again on the mapping read afresh, then stored whole),
 * worth retrying, or refused for good (dead-lettered).
 *
 * A document refused even in its stored form, which holds nothing a mapping parses, with the very
 * error of its indexed form is not refused for what it holds: the index or the cluster refuses
 * any such write (an ingest pipeline that fails, a template changed by hand, a refusal nobody has
 * met yet). It is retried, like the cluster's other refusals, instead of dead-lettering every
 * record until somebody notices; a different error is about the document, and dead-letters it.
 */
import {
  boundedId,
  changeLogPartition,
  conflictVerdict,
  versionOf,
  deadLetterId,
  toChangeLogDocument,
  toDeadLetterDocument,
  type ChangeRecord,
  type MirrorEntry,
  type MirrorIndexes,
  type Refusal,
  type WriteAction,
  type WriteOutcome,
} from '../core';
import type { BatchLedger } from './batch-ledger';
import type { PipelineSettings } from './pipeline-settings';
import type { SearchPort } from './search-port';

/** What every step of one batch works with. */
export interface Batch {
  readonly settings: PipelineSettings;
  readonly port: SearchPort;
  readonly ledger: BatchLedger;
  readonly receivedAt: Date;
  readonly indexes: MirrorIndexes;
  /** Requests a round's writes go in (slicesPerMirror); by default SLICES. */
  readonly slices?: number;
}

export interface ChangeLogEntry {
  readonly position: number;
  readonly record: ChangeRecord;
  /** The refusal of its indexed form: it is written with its images unindexed. */
  readonly refused?: Refusal;
}

/** One write and what to do with its outcome. */
export interface Step {
  readonly action: WriteAction;
  readonly settle: (outcome: WriteOutcome) => void;
}

export async function send(port: SearchPort, steps: readonly Step[]): Promise<void> {
  if (steps.length === 0) return;
  const outcomes = await port.write(steps.map((step) => step.action));
  steps.forEach((step, position) => step.settle(outcomes[position]));
}

/** The change-log document of one change; refused by the mapping, it goes again in the stored form (`next`). */
export function changeLogStep(entry: ChangeLogEntry, batch: Batch, next: ChangeLogEntry[]): Step {
  const { settings, ledger } = batch;
  const document = toChangeLogDocument(
    entry.record,
    batch.receivedAt,
    entry.refused === undefined ? 'indexed' : 'stored',
    entry.refused?.reason,
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
  const settle = (outcome: WriteOutcome): void => {
    switch (outcome.kind) {
      case 'written':
        ledger.counts.changeLogWritten++;
        if (document.unindexed !== undefined) ledger.counts.unindexed++;
        return;
      case 'exists':
        ledger.counts.duplicates++; // ids are event ids: this exact change is there already
        return;
      case 'unindexable':
        if (entry.refused === undefined) return void next.push({ ...entry, refused: refusalOf(outcome) });
        return settleRefusedStored(outcome, entry.refused, action, entry.position, ledger);
      default:
        return settleFailure(outcome, action, entry.position, ledger);
    }
  };
  return { action, settle };
}

/**
 * A mirror or tombstone write that was not done: superseded, plan again (from a read), place
 * again, store unindexed, retry or dead-letter.
 */
export function settleLost(outcome: WriteOutcome, entry: MirrorEntry, batch: Batch, next: MirrorEntry[], action: WriteAction): void {
  switch (outcome.kind) {
    case 'exists':
    case 'changed':
      return void next.push(entry);
    case 'stale':
      return settleConflict(outcome, entry, batch, next, action);
    case 'unindexable':
      if (action.role === 'mirror') return settleRefusedMirror(outcome, entry, batch, next);
      return batch.ledger.deadLetter(entry.position, { target: 'mirror', errorType: outcome.errorType, reason: outcome.reason });
    default:
      return settleFailure(outcome, undefined, entry.position, batch.ledger);
  }
}

/**
 * The engine holds a version at or above ours: far above, a newer change is there (superseded);
 * else the next round reads the exact sequence numbers and plans above the version it reported.
 */
export function settleConflict(
  outcome: Extract<WriteOutcome, { kind: 'stale' }>,
  entry: MirrorEntry,
  batch: Batch,
  next: MirrorEntry[],
  action: WriteAction,
): void {
  if (conflictVerdict(entry.record, versionOf(action), outcome.current) === 'superseded')
    return void batch.ledger.counts.mirrorSuperseded++;
  next.push({ ...entry, readBeforeWrite: true, conflictVersion: highest(entry.conflictVersion, outcome.current) });
}

function highest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b);
}

/**
 * The mirror's mapping refused a document placed on what the port knew of it: another writer
 * mapped what the port had not seen. Placed again on the mapping read afresh; refused again,
 * stored whole; refused even so, retried or dead-lettered (see the file comment).
 */
function settleRefusedMirror(
  outcome: Extract<WriteOutcome, { kind: 'unindexable' }>,
  entry: MirrorEntry,
  batch: Batch,
  next: MirrorEntry[],
): void {
  batch.port.forgetMapping(batch.indexes.mirror);
  if (entry.refused === undefined) return void next.push({ ...entry, refused: refusalOf(outcome) });
  if (entry.storedBecause === undefined) return void next.push({ ...entry, refused: refusalOf(outcome), storedBecause: outcome.reason });
  return settleRefusedStored(outcome, entry.refused, undefined, entry.position, batch.ledger);
}

/** The stored form refused too: retried when with the error of the indexed form (see the file comment), else dead-lettered. */
function settleRefusedStored(
  outcome: Extract<WriteOutcome, { kind: 'unindexable' }>,
  indexedForm: Refusal,
  action: WriteAction | undefined,
  position: number,
  ledger: BatchLedger,
): void {
  if (outcome.errorType !== indexedForm.errorType || outcome.reason !== indexedForm.reason) {
    return deadLetterOf(outcome, action, position, ledger);
  }
  ledger.retry(
    [position],
    `${action?.role ?? 'mirror'}: refused in the stored form too, with the error of the indexed form: the index or the cluster ` +
      `refuses it, not its data (retried, not dead-lettered): ${outcome.reason}`,
  );
}

function refusalOf(outcome: Extract<WriteOutcome, { kind: 'unindexable' }>): Refusal {
  return { errorType: outcome.errorType, reason: outcome.reason };
}

export function settleFailure(outcome: WriteOutcome, action: WriteAction | undefined, position: number, ledger: BatchLedger): void {
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

/** The batch's dead letters, one request; a dead letter not written makes its record retry. */
export async function writeDeadLetters(port: SearchPort, ledger: BatchLedger, index: string, failedAt: Date): Promise<void> {
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
