/** How a batch is applied: which indexes, which key schema, what to write, and who else may be writing. */
import type { KeySchema, Routing } from '../core';
import type { IndexNames, ChangeLogPartitioning } from '../settings';

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
  /**
   * Write the stream's changes without reading the mirror first: each at the external version of
   * its creation time, read only when the engine reports a conflict that may hide an older stored
   * change (see core/external-version.ts and docs/ordering.md). The function passes true; operator
   * tools read first (their records have no creation time, or are re-driven out of order).
   * @default false
   */
  readonly writeStreamChangesWithoutRead?: boolean;
  /**
   * Write snapshots (a backfill's items) without reading the mirror first: each at version 1, so
   * the engine refuses it wherever anything is stored or a delete is remembered (the refusal is
   * then read: a snapshot only fills an empty place), and checked against the tombstones beside
   * its write like an unread stream change. `cdc backfill` passes true.
   * @default false
   */
  readonly writeSnapshotsWithoutRead?: boolean;
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
  /**
   * Which mirrors each change goes to, in what shape, and what the change log keeps (compiled by
   * compileRouting from the `mirrors` and `changeLog` settings).
   * @default one mirror, `indexes.mirror`, taking every change whole; the change log every change
   */
  readonly compiledRouting?: Routing;
}

/**
 * How the function applies the stream's batches (see the two settings above). The bench and the
 * model-based test run the pipeline with it, exactly as the function does.
 */
export const AS_THE_FUNCTION_WRITES: Pick<PipelineSettings, 'mayRaceWithDeletes' | 'writeStreamChangesWithoutRead'> = {
  mayRaceWithDeletes: false,
  writeStreamChangesWithoutRead: true,
};
