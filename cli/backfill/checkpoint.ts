/**
 * Where a backfill got to, per Scan segment, in a file that survives the process: written
 * (atomically) after every page applied, so a killed backfill resumes at the next page.
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

export interface Checkpoint {
  readonly table: string;
  readonly mirror: string;
  readonly segments: SegmentProgress[];
  readonly counts: BackfillCounts;
  readonly startedAt: string;
}

export function loadCheckpoint(file: string, expected: { table: string; mirror: string; segments: number }): Checkpoint | undefined {
  if (!fs.existsSync(file)) return undefined;
  const checkpoint = JSON.parse(fs.readFileSync(file, 'utf8')) as Checkpoint;
  if (checkpoint.table !== expected.table || checkpoint.mirror !== expected.mirror || checkpoint.segments.length !== expected.segments) {
    throw new Error(
      `the checkpoint ${file} is of another backfill (table ${checkpoint.table}, mirror ${checkpoint.mirror}, ${checkpoint.segments.length} segments): ` +
        'resume it with the same settings, or start again with --restart',
    );
  }
  return checkpoint;
}

export function saveCheckpoint(file: string, checkpoint: Checkpoint): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(partial, JSON.stringify(checkpoint, null, 2));
  fs.renameSync(partial, file);
}
