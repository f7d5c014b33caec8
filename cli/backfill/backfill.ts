/**
 * Backfill: every item already in the table, read with a parallel Scan, written to the mirror
 * through applyChanges as SNAPSHOT records, so the same ordering rules hold as for the stream.
 *
 * The rule that makes it safe while the stream is live: a snapshot only fills an empty place. It
 * is written without a read at external version 1, which the engine refuses wherever a document
 * is stored or a delete remembered (the refusal is then read: a document wins, a place emptied
 * by hand is filled), and taken back when the tombstones read beside its write say the item was
 * deleted (its sequence number is the lowest there is). So:
 * - an item the stream has written since it was enabled keeps the stream's state (the stream
 *   delivers every later change too, so its state is the newest one);
 * - a deleted item is never brought back (its tombstone blocks the snapshot, and a delete that
 *   races with the snapshot's write is caught by the check after writing);
 * - an item the stream has not touched gets the snapshot; should a change older than the snapshot
 *   still be on its way, it replaces the snapshot, and the changes after it follow: the stream ends
 *   on the item's newest state.
 */
import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type AttributeMap, keyNames, type KeySchema } from '../../lambda/core';
import type { PipelineSettings, SearchPort } from '../../lambda/pipeline';
import { applyWithRetries, snapshotRecord } from '../sync';
import { unreadableAttributes } from '../table';
import { saveCheckpoint, type BackfillCounts, type Checkpoint, type SegmentProgress } from './checkpoint';

export interface BackfillOptions {
  readonly dynamo: DynamoDBClient;
  readonly port: SearchPort;
  readonly tableName: string;
  readonly settings: PipelineSettings;
  /** Where to start: a new checkpoint, or an interrupted one to resume (see startPoint); its segments are the Scan's. */
  readonly checkpoint: Checkpoint;
  /** Items per Scan page (DynamoDB also stops a page at 1 MB). */
  readonly pageSize: number;
  readonly checkpointFile: string;
  readonly onPage?: (counts: BackfillCounts) => void;
  /** Checked between pages: true stops the backfill (the checkpoint is kept). */
  readonly stopped?: () => boolean;
  /** Tries of a page whose writes must be retried, before the segment stops. */
  readonly pageTries?: number;
}

export interface BackfillResult {
  readonly counts: BackfillCounts;
  /** Every segment scanned to its end (dead letters do not make a backfill incomplete: running again would not change them). */
  readonly complete: boolean;
  /** Why segments stopped (run again to resume). */
  readonly problems: string[];
  /** Items the pipeline dead-lettered (a transform that throws, a document OpenSearch refuses), with the reason: fix, then `cdc redrive`. */
  readonly deadLettered: string[];
  /** Items not written because the AWS SDK could not read them whole (their keys). */
  readonly unreadable: string[];
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** One run's state, shared by its segments. */
interface Run {
  readonly options: BackfillOptions;
  readonly settings: PipelineSettings;
  readonly checkpoint: Writable<Checkpoint>;
  readonly problems: string[];
  readonly deadLettered: string[];
  readonly unreadable: string[];
}

/** Segments a backfill may have: each is a line of its checkpoint, rewritten after every page. */
export const MAX_SEGMENTS = 10_000;
/** Segments scanned at once; the others wait their turn (memory and connections stay bounded). */
export const MAX_PARALLEL_SEGMENTS = 64;

export async function backfill(options: BackfillOptions): Promise<BackfillResult> {
  const from = options.checkpoint;
  const run: Run = {
    options,
    settings: { ...options.settings, tableName: options.tableName, mayRaceWithDeletes: true, writeSnapshotsWithoutRead: true },
    checkpoint: { ...from, counts: { ...from.counts }, segments: [...from.segments] },
    problems: [],
    deadLettered: [],
    unreadable: [],
  };
  await scanSegments(run);
  const scanned = run.checkpoint.segments.every((segment) => segment.done);
  if (scanned) {
    run.checkpoint.finishedAt = new Date().toISOString();
    saveCheckpoint(options.checkpointFile, run.checkpoint);
  }
  return {
    counts: run.checkpoint.counts,
    complete: scanned && run.problems.length === 0,
    problems: run.problems,
    deadLettered: run.deadLettered,
    unreadable: run.unreadable,
  };
}

/** Every unfinished segment, at most MAX_PARALLEL_SEGMENTS at once, each worker taking the next in turn. */
async function scanSegments(run: Run): Promise<void> {
  const waiting = run.checkpoint.segments.flatMap((progress, segment) => (progress.done ? [] : [segment]));
  const worker = async () => {
    for (let segment = waiting.shift(); segment !== undefined && !run.options.stopped?.(); segment = waiting.shift())
      await scanSegment(run, segment);
  };
  await Promise.all(Array.from({ length: Math.min(MAX_PARALLEL_SEGMENTS, waiting.length) }, worker));
}

/** Page after page of one segment, each applied then recorded, until its end, a stop, or writes that keep failing. */
async function scanSegment(run: Run, segment: number): Promise<void> {
  const { options, checkpoint } = run;
  while (!checkpoint.segments[segment].done && !options.stopped?.()) {
    const page = await options.dynamo.send(
      new ScanCommand({
        TableName: options.tableName,
        Segment: segment,
        TotalSegments: checkpoint.segments.length,
        ExclusiveStartKey: checkpoint.segments[segment].lastKey as never,
        Limit: options.pageSize,
        ConsistentRead: true,
      }),
    );
    const applied = await applyPage(run, segment, (page.Items ?? []) as AttributeMap[]);
    if (!applied) {
      saveCheckpoint(options.checkpointFile, checkpoint);
      return;
    }
    const next: SegmentProgress = { lastKey: page.LastEvaluatedKey as Record<string, unknown> | undefined, done: !page.LastEvaluatedKey };
    checkpoint.segments[segment] = next;
    saveCheckpoint(options.checkpointFile, checkpoint);
    options.onPage?.(checkpoint.counts);
  }
}

/** Writes a page's items as snapshots and counts them; false when some could not be written (the segment stops there). */
async function applyPage(run: Run, segment: number, items: AttributeMap[]): Promise<boolean> {
  const { checkpoint, settings } = run;
  const readable = items.filter((item) => unreadableAttributes(item).length === 0);
  for (const item of items.filter((candidate) => !readable.includes(candidate))) run.unreadable.push(keyText(item, settings.keySchema));
  const records = readable.map((item) => snapshotRecord(item, settings.keySchema));
  const applied = await applyWithRetries(records, settings, run.options.port, run.options.pageTries);
  checkpoint.counts.read += items.length;
  checkpoint.counts.unreadable = (checkpoint.counts.unreadable ?? 0) + items.length - readable.length;
  checkpoint.counts.written += applied.mirrorWritten;
  checkpoint.counts.skipped += applied.mirrorSuperseded;
  checkpoint.counts.failed += applied.deadLettered.length;
  for (const letter of applied.deadLettered)
    run.deadLettered.push(`${keyText(readable[letter.position], settings.keySchema)}: ${letter.reason}`);
  if (applied.failures.length === 0) return true;
  checkpoint.counts.failed += applied.failures.length;
  run.problems.push(
    `segment ${segment} stopped: ${applied.failures.length} item(s) could not be written (${applied.failures[0].reason}); run again to resume`,
  );
  return false;
}

function keyText(item: AttributeMap, schema: KeySchema): string {
  return keyNames(schema)
    .map((name) => String(item[name]?.S ?? item[name]?.N ?? '(binary)'))
    .join(' ');
}
