/**
 * The bookkeeping of one batch: what happened to each record, and the counts.
 *
 * Precedence, per record: a transient failure beats a dead letter beats written. A record with
 * anything to retry is reported for retry whole (nothing of it is assumed written, and its dead
 * letters wait: the retry may succeed); otherwise its dead letters (one per refused write, all
 * kept) are recorded; otherwise it is done.
 */
import type { DeadLetter, ChangeRecord, RawStreamRecord } from '../core';

export interface RecordFailure {
  readonly position: number;
  /** `dynamodb.SequenceNumber` of the record, the item identifier Lambda expects; none for manual records. */
  readonly sequenceNumber?: string;
  readonly reason: string;
}

export interface BatchCounts {
  changeLogWritten: number;
  duplicates: number;
  mirrorWritten: number;
  mirrorDeleted: number;
  mirrorSuperseded: number;
  /** Documents written with some or all of their data unindexed (kept exactly in `_source`). */
  unindexed: number;
  conflictRounds: number;
}

export class BatchLedger {
  readonly counts: BatchCounts = {
    changeLogWritten: 0,
    duplicates: 0,
    mirrorWritten: 0,
    mirrorDeleted: 0,
    mirrorSuperseded: 0,
    unindexed: 0,
    conflictRounds: 0,
  };
  private readonly retries = new Map<number, string>();
  private readonly letters = new Map<number, DeadLetter[]>();
  private readonly records = new Map<number, ChangeRecord>();

  constructor(private readonly raws: readonly RawStreamRecord[]) {}

  /** Remembers the parsed form of a record (for dead letters and sequence numbers). */
  parsed(position: number, record: ChangeRecord): void {
    this.records.set(position, record);
  }

  recordAt(position: number): ChangeRecord | undefined {
    return this.records.get(position);
  }

  rawAt(position: number): RawStreamRecord {
    return this.raws[position];
  }

  /** The first reason is kept: it is the cause, later ones are often consequences. */
  retry(positions: readonly number[], reason: string): void {
    for (const position of positions) if (!this.retries.has(position)) this.retries.set(position, reason);
  }

  deadLetter(position: number, letter: Omit<DeadLetter, 'raw' | 'record'>): void {
    const full: DeadLetter = { ...letter, raw: this.raws[position], record: this.records.get(position) };
    this.letters.set(position, [...(this.letters.get(position) ?? []), full]);
  }

  isRetrying(position: number): boolean {
    return this.retries.has(position);
  }

  /** Dead letters to record now: those of records that are not being retried. */
  pendingDeadLetters(): { position: number; letter: DeadLetter }[] {
    return [...this.letters.entries()]
      .filter(([position]) => !this.retries.has(position))
      .flatMap(([position, letters]) => letters.map((letter) => ({ position, letter })));
  }

  failures(): RecordFailure[] {
    return [...this.retries.entries()]
      .sort(([a], [b]) => a - b)
      .map(([position, reason]) => ({ position, sequenceNumber: this.sequenceNumberAt(position), reason }));
  }

  deadLettered(): { position: number; target: DeadLetter['target']; reason: string }[] {
    return this.pendingDeadLetters().map(({ position, letter }) => ({ position, target: letter.target, reason: letter.reason }));
  }

  private sequenceNumberAt(position: number): string | undefined {
    const record = this.records.get(position);
    if (record) return record.origin === 'stream' ? record.sequenceNumber : undefined;
    const value = (this.raws[position] as { dynamodb?: { SequenceNumber?: unknown } } | undefined)?.dynamodb?.SequenceNumber;
    return typeof value === 'string' ? value : undefined;
  }
}
