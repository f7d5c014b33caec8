/**
 * Applies a batch of stream records to OpenSearch: change log, mirror, dead letters.
 *
 * The one code path for the Lambda handler and for re-drive. It decides nothing about
 * transport (see SearchPort) and nothing about checkpointing: it says which records are safely
 * written (or dead-lettered) and which must be retried.
 */
import {
  MalformedRecordError,
  toChangeRecord,
  type ChangeRecord,
  type RawStreamRecord,
} from '../core/change-record';
import { toChangeLogDocument } from '../core/change-log-document';
import { documentId, type KeySchema } from '../core/document-id';
import { MismatchedBulkResponseError, readBulkResponse, toBulkBodies, type BulkAction, type BulkResponse } from '../core/bulk';
import { deadLetterId, toDeadLetterDocument, type DeadLetter } from '../core/dead-letter-document';
import { planMirrorWrites, type MirrorEntry, type MirrorState } from '../core/mirror-plan';
import type { ItemOutcome } from '../core/failure-class';

/** What the pipeline needs from OpenSearch. */
export interface SearchPort {
  /** Current bookkeeping of mirror documents; ids absent from the map do not exist. */
  getMirrorStates(index: string, ids: readonly string[]): Promise<Map<string, MirrorState>>;
  bulk(body: string): Promise<BulkResponse>;
}

export interface ApplySettings {
  readonly changeLogIndex: string;
  /** The mirror's backing index (written and read directly, tombstones included). */
  readonly mirrorIndex: string;
  readonly deadLetterIndex: string;
  readonly keySchema: KeySchema;
  /** Largest `_bulk` body; a batch bigger than this is sent in several requests. */
  readonly maxBulkBytes: number;
  /** How often to re-plan mirror writes that lost a race with another writer. */
  readonly maxConflictRounds: number;
}

export interface RecordFailure {
  readonly position: number;
  /** `dynamodb.SequenceNumber` of the record, the item identifier Lambda expects. */
  readonly sequenceNumber?: string;
  readonly reason: string;
}

export interface ApplyResult {
  readonly records: number;
  /** Records to retry: nothing of theirs may be assumed written. */
  readonly failures: RecordFailure[];
  readonly deadLettered: { position: number; target: DeadLetter['target']; reason: string }[];
  readonly changeLogWritten: number;
  readonly duplicates: number;
  readonly mirrorWritten: number;
  readonly mirrorSuperseded: number;
  readonly conflictRounds: number;
}

interface Parsed {
  readonly position: number;
  readonly raw: RawStreamRecord;
  readonly record: ChangeRecord;
}

export async function applyChanges(
  raws: readonly RawStreamRecord[],
  settings: ApplySettings,
  port: SearchPort,
  now: () => Date = () => new Date(),
): Promise<ApplyResult> {
  const transient = new Map<number, string>();
  const deadLetters = new Map<number, DeadLetter>();
  const tally = { changeLogWritten: 0, duplicates: 0, mirrorWritten: 0, mirrorSuperseded: 0, conflictRounds: 0 };

  const parsed: Parsed[] = [];
  raws.forEach((raw, position) => {
    try {
      parsed.push({ position, raw, record: toChangeRecord(raw) });
    } catch (error) {
      if (!(error instanceof MalformedRecordError)) throw error;
      deadLetters.set(position, { target: 'record', errorType: 'malformed_record', reason: error.message, raw });
    }
  });

  const mirrorEntries: MirrorEntry[] = [];
  for (const { position, raw, record } of parsed) {
    try {
      mirrorEntries.push({ position, record, id: documentId(record.keys, settings.keySchema) });
    } catch (error) {
      deadLetters.set(position, { target: 'mirror', errorType: 'unusable_key', reason: (error as Error).message, raw, record });
    }
  }

  const byPosition = new Map(parsed.map((entry) => [entry.position, entry]));
  const processedAt = now();
  const changeLogActions: BulkAction[] = parsed.map(({ position, record }) => ({
    target: 'change-log',
    opType: 'create',
    index: settings.changeLogIndex,
    id: record.eventId,
    source: JSON.stringify(toChangeLogDocument(record, processedAt)),
    records: [position],
  }));

  const settle = (action: BulkAction, outcome: ItemOutcome): boolean => {
    switch (outcome.kind) {
      case 'ok':
        if (action.target === 'change-log') outcome.duplicate ? tally.duplicates++ : tally.changeLogWritten++;
        if (action.target === 'mirror') tally.mirrorWritten++;
        return false;
      case 'conflict':
        return true;
      case 'transient':
        for (const position of action.records) transient.set(position, `${action.target}: ${outcome.reason}`);
        return false;
      case 'permanent':
        for (const position of action.records) {
          const entry = byPosition.get(position)!;
          deadLetters.set(position, {
            target: action.target === 'mirror' ? 'mirror' : 'change-log',
            targetIndex: action.index,
            documentId: action.id,
            errorType: outcome.errorType,
            reason: outcome.reason,
            status: outcome.status,
            raw: entry.raw,
            record: entry.record,
          });
        }
        return false;
    }
  };

  // Round one: every change-log document and the mirror writes planned from current state.
  let pending = mirrorEntries;
  let firstRound = true;
  while (pending.length > 0 || firstRound) {
    if (!firstRound && ++tally.conflictRounds > settings.maxConflictRounds) {
      for (const entry of pending) transient.set(entry.position, 'mirror: still conflicting after re-planning');
      break;
    }
    const mirrorActions = await planMirror(pending, settings, port, transient, deadLetters, byPosition, tally);
    const actions = firstRound ? [...changeLogActions, ...mirrorActions] : mirrorActions;
    firstRound = false;
    const conflicted = new Set<string>();
    for (const { action, outcome } of await sendBulk(actions, settings.maxBulkBytes, port, transient)) {
      if (settle(action, outcome)) conflicted.add(action.id);
    }
    pending = mirrorEntries.filter((entry) => conflicted.has(entry.id));
  }

  await writeDeadLetters(deadLetters, settings, port, transient, now());

  const failures: RecordFailure[] = [...transient.entries()]
    .sort(([a], [b]) => a - b)
    .map(([position, reason]) => ({
      position,
      sequenceNumber: byPosition.get(position)?.record.sequenceNumber ?? rawSequenceNumber(raws[position]),
      reason,
    }));
  return {
    records: raws.length,
    failures,
    deadLettered: [...deadLetters.entries()]
      .filter(([position]) => !transient.has(position))
      .map(([position, letter]) => ({ position, target: letter.target, reason: letter.reason })),
    ...tally,
  };
}

async function planMirror(
  entries: readonly MirrorEntry[],
  settings: ApplySettings,
  port: SearchPort,
  transient: Map<number, string>,
  deadLetters: Map<number, DeadLetter>,
  byPosition: ReadonlyMap<number, Parsed>,
  tally: { mirrorSuperseded: number },
): Promise<BulkAction[]> {
  if (entries.length === 0) return [];
  let states: Map<string, MirrorState>;
  try {
    states = await port.getMirrorStates(settings.mirrorIndex, [...new Set(entries.map((entry) => entry.id))]);
  } catch (error) {
    for (const entry of entries) transient.set(entry.position, `mirror: reading current state failed: ${(error as Error).message}`);
    return [];
  }
  const plan = planMirrorWrites(entries, states, settings.mirrorIndex);
  tally.mirrorSuperseded += plan.superseded.length;
  for (const { position, reason } of plan.rejected) {
    const entry = byPosition.get(position)!;
    deadLetters.set(position, { target: 'mirror', errorType: 'unmirrorable_item', reason, raw: entry.raw, record: entry.record });
  }
  return plan.actions;
}

/** Sends actions in size-bounded requests; a request that fails or answers nonsense fails all its records. */
async function sendBulk(
  actions: readonly BulkAction[],
  maxBytes: number,
  port: SearchPort,
  transient: Map<number, string>,
): Promise<{ action: BulkAction; outcome: ItemOutcome }[]> {
  const results: { action: BulkAction; outcome: ItemOutcome }[] = [];
  for (const chunk of toBulkBodies(actions, maxBytes)) {
    try {
      results.push(...readBulkResponse(chunk.actions, await port.bulk(chunk.body)));
    } catch (error) {
      const reason =
        error instanceof MismatchedBulkResponseError ? error.message : `bulk request failed: ${(error as Error).message}`;
      for (const action of chunk.actions) for (const position of action.records) transient.set(position, `${action.target}: ${reason}`);
    }
  }
  return results;
}

async function writeDeadLetters(
  deadLetters: ReadonlyMap<number, DeadLetter>,
  settings: ApplySettings,
  port: SearchPort,
  transient: Map<number, string>,
  failedAt: Date,
): Promise<void> {
  const actions: BulkAction[] = [...deadLetters.entries()]
    .filter(([position]) => !transient.has(position))
    .map(([position, letter]) => ({
      target: 'dead-letter',
      opType: 'index',
      index: settings.deadLetterIndex,
      id: deadLetterId(letter),
      source: JSON.stringify(toDeadLetterDocument(letter, failedAt)),
      records: [position],
    }));
  for (const { action, outcome } of await sendBulk(actions, settings.maxBulkBytes, port, transient)) {
    if (outcome.kind !== 'ok') {
      const reason = outcome.kind === 'conflict' ? 'conflict' : outcome.reason;
      for (const position of action.records) transient.set(position, `dead-letter: ${reason}`);
    }
  }
}

function rawSequenceNumber(raw: RawStreamRecord | undefined): string | undefined {
  const value = (raw as { dynamodb?: { SequenceNumber?: unknown } } | undefined)?.dynamodb?.SequenceNumber;
  return typeof value === 'string' ? value : undefined;
}
