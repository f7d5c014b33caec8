/**
 * Backfill: every item already in the table, read with a parallel Scan, written to the mirror
 * through applyChanges as SNAPSHOT records, so the same ordering rules hold as for the stream.
 *
 * The rule that makes it safe while the stream is live: a snapshot only fills an empty place. It
 * is written only when the item has neither a mirror document nor a tombstone, and never replaces
 * one (its sequence number is the lowest there is; manual records excepted). So:
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
  readonly segments: number;
  /** Items per Scan page (DynamoDB also stops a page at 1 MB). */
  readonly pageSize: number;
  readonly checkpointFile: string;
  readonly resumeFrom?: Checkpoint;
  readonly onPage?: (counts: BackfillCounts) => void;
  /** Checked between pages: true stops the backfill (the checkpoint is kept). */
  readonly stopped?: () => boolean;
  /** Tries of a page whose writes must be retried, before the segment stops. */
  readonly pageTries?: number;
}

export interface BackfillResult {
  readonly counts: BackfillCounts;
  readonly complete: boolean;
  readonly problems: string[];
  /** Items not written because the AWS SDK could not read them whole (their keys). */
  readonly unreadable: string[];
}

function keyText(item: AttributeMap, schema: KeySchema): string {
  return keyNames(schema)
    .map((name) => String(item[name]?.S ?? item[name]?.N ?? '(binary)'))
    .join(' ');
}

export async function backfill(options: BackfillOptions): Promise<BackfillResult> {
  const checkpoint: { -readonly [K in keyof Checkpoint]: Checkpoint[K] } = options.resumeFrom
    ? { ...options.resumeFrom, counts: { ...options.resumeFrom.counts }, segments: [...options.resumeFrom.segments] }
    : {
        table: options.tableName,
        mirror: options.settings.indexes.mirror,
        segments: Array.from({ length: options.segments }, (): SegmentProgress => ({ done: false })),
        counts: { read: 0, written: 0, skipped: 0, failed: 0, unreadable: 0 },
        startedAt: new Date().toISOString(),
      };
  const problems: string[] = [];
  const unreadable: string[] = [];
  const settings: PipelineSettings = { ...options.settings, tableName: options.tableName, mayRaceWithDeletes: true };

  await Promise.all(
    checkpoint.segments.map(async (_, segment) => {
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
        const items = (page.Items ?? []) as AttributeMap[];
        const readable = items.filter((item) => unreadableAttributes(item).length === 0);
        for (const item of items.filter((candidate) => !readable.includes(candidate))) {
          unreadable.push(keyText(item, settings.keySchema));
        }
        const records = readable.map((item) => snapshotRecord(item, settings.keySchema));
        const applied = await applyWithRetries(records, settings, options.port, options.pageTries);
        checkpoint.counts.read += items.length;
        checkpoint.counts.unreadable = (checkpoint.counts.unreadable ?? 0) + items.length - readable.length;
        checkpoint.counts.written += applied.mirrorWritten;
        checkpoint.counts.skipped += applied.mirrorSuperseded;
        checkpoint.counts.failed += applied.deadLettered.length;
        for (const letter of applied.deadLettered)
          problems.push(`item ${letter.position + 1} of a page of segment ${segment}: ${letter.reason}`);
        if (applied.failures.length > 0) {
          checkpoint.counts.failed += applied.failures.length;
          problems.push(
            `segment ${segment} stopped: ${applied.failures.length} item(s) could not be written (${applied.failures[0].reason}); run again to resume`,
          );
          saveCheckpoint(options.checkpointFile, checkpoint);
          return;
        }
        checkpoint.segments[segment] = {
          lastKey: page.LastEvaluatedKey as Record<string, unknown> | undefined,
          done: page.LastEvaluatedKey === undefined,
        };
        saveCheckpoint(options.checkpointFile, checkpoint);
        options.onPage?.(checkpoint.counts);
      }
    }),
  );
  return {
    counts: checkpoint.counts,
    complete: checkpoint.segments.every((segment) => segment.done) && problems.length === 0,
    problems,
    unreadable,
  };
}
