/**
 * Where a backfill got to, per Scan segment, in a file that survives the process: written
 * (atomically) after every page applied, so a killed backfill resumes at the next page. It also
 * records what it belongs to (the table's incarnation, the mirror's indexes), so it is only ever
 * resumed against the same table and mirror (see start-point.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface SegmentProgress {
  /** The Scan's LastEvaluatedKey after the last page applied; absent before the first. */
  readonly lastKey?: Record<string, unknown>;
  readonly done: boolean;
}

export interface BackfillCounts {
  read: number;
  written: number;
  skipped: number;
  failed: number;
  /** Items the AWS SDK read without some attribute's value (see unreadableAttributes): left to the stream. */
  unreadable: number;
}

/** One life of a table: a table deleted and created again under the same name is another incarnation. */
export interface TableIncarnation {
  readonly arn?: string;
  readonly id?: string;
  readonly createdAt?: string;
}

/** What a backfill copies from and to. */
export interface BackfillTarget {
  readonly table: string;
  readonly incarnation: TableIncarnation;
  readonly mirror: string;
  /** The concrete indexes behind the mirror, each as `name/uuid`: a mirror deleted and re-created has others. */
  readonly mirrorIndexes: readonly string[];
}

export interface Checkpoint {
  readonly table: string;
  /** Absent in checkpoints written before it was recorded. */
  readonly tableIncarnation?: TableIncarnation;
  readonly mirror: string;
  /** Absent in checkpoints written before it was recorded. */
  readonly mirrorIndexes?: readonly string[];
  readonly segments: SegmentProgress[];
  readonly counts: BackfillCounts;
  readonly startedAt: string;
  /** When every segment had been scanned to its end; a finished backfill is never resumed. */
  readonly finishedAt?: string;
}

export function newCheckpoint(target: BackfillTarget, segments: number, now: Date = new Date()): Checkpoint {
  return {
    table: target.table,
    tableIncarnation: target.incarnation,
    mirror: target.mirror,
    mirrorIndexes: [...target.mirrorIndexes],
    segments: Array.from({ length: segments }, (): SegmentProgress => ({ done: false })),
    counts: { read: 0, written: 0, skipped: 0, failed: 0, unreadable: 0 },
    startedAt: now.toISOString(),
  };
}

/** Every segment scanned to its end (checkpoints written before `finishedAt` was recorded are finished so too). */
export function isFinished(checkpoint: Checkpoint): boolean {
  return checkpoint.finishedAt !== undefined || checkpoint.segments.every((segment) => segment.done);
}

/** The checkpoint in the file, or undefined when there is none; a file that is not one is said so. */
export function readCheckpoint(file: string): Checkpoint | undefined {
  if (!fs.existsSync(file)) return undefined;
  const notOne = (why: string, cause?: unknown) =>
    new Error(
      `${file} is not a backfill checkpoint (${why}): start over with --restart (it is replaced), or name another file with --checkpoint`,
      { cause },
    );
  let checkpoint: Partial<Checkpoint>;
  try {
    checkpoint = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Checkpoint>;
  } catch (error) {
    throw notOne((error as Error).message, error);
  }
  const complete = typeof checkpoint?.table === 'string' && typeof checkpoint.mirror === 'string';
  if (!complete || !Array.isArray(checkpoint.segments) || !checkpoint.counts) throw notOne('no table, mirror, segments or counts');
  return checkpoint as Checkpoint;
}

export function saveCheckpoint(file: string, checkpoint: Checkpoint): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(partial, JSON.stringify(checkpoint, null, 2));
  fs.renameSync(partial, file);
}
