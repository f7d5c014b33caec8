/**
 * Where a backfill starts: from the beginning, or where an interrupted one stopped.
 *
 * Resuming is only for a backfill that was interrupted (Ctrl-C, a kill, writes that failed) and
 * only against what it was copying: the same table incarnation and the same mirror indexes, in the
 * same number of Scan segments (a Scan cannot go on in another count). A finished backfill is never
 * resumed, so running it again copies the table again; a checkpoint whose table or mirror was
 * deleted and created again since holds nothing worth resuming, so a new backfill starts. An
 * interrupted backfill of another table or mirror, or in another segment count, is not dropped
 * silently: the error says how to resume it or to start over with --restart.
 */
import { type BackfillTarget, type Checkpoint, isFinished, newCheckpoint, type TableIncarnation } from './checkpoint';

export interface StartOptions {
  /** --restart: start from the beginning whatever the checkpoint says. */
  readonly restart?: boolean;
  /** --segments, when given. */
  readonly segments?: number;
  /** The segments of a new backfill when --segments is not given (from the table's size). */
  readonly defaultSegments: number;
  readonly now?: Date;
}

export interface StartPoint {
  /** The checkpoint to go on from: the interrupted one, or a new one. */
  readonly checkpoint: Checkpoint;
  readonly resumed: boolean;
  /** For the operator: what is resumed, or why the checkpoint found is not. */
  readonly note?: string;
}

export function startPoint(file: string, found: Checkpoint | undefined, target: BackfillTarget, options: StartOptions): StartPoint {
  const fresh = (note?: string): StartPoint => ({
    checkpoint: newCheckpoint(target, options.segments ?? options.defaultSegments, options.now),
    resumed: false,
    note,
  });
  if (found === undefined || options.restart) return fresh();
  if (isFinished(found)) {
    const finished = found.finishedAt ? ` at ${found.finishedAt}` : '';
    return fresh(`the backfill in ${file} (started ${found.startedAt}) finished${finished}: this one starts from the beginning`);
  }
  refuseAnotherTarget(file, found, target);
  const stale = staleReason(found, target);
  if (stale)
    return fresh(
      `the interrupted backfill in ${file} (started ${found.startedAt}) is not resumed: ${stale}; this one starts from the beginning`,
    );
  refuseAnotherSegmentCount(file, found, options.segments);
  return { checkpoint: found, resumed: true, note: resumingNote(file, found) };
}

function resumingNote(file: string, found: Checkpoint): string {
  const done = found.segments.filter((segment) => segment.done).length;
  return (
    `resuming the interrupted backfill in ${file}, started ${found.startedAt}: ${found.counts.read} item(s) read, ` +
    `${done} of ${found.segments.length} segment(s) done (--restart starts over)`
  );
}

/** Another table or mirror by name: its progress would be lost, so the operator decides. */
function refuseAnotherTarget(file: string, found: Checkpoint, target: BackfillTarget): void {
  if (found.table === target.table && found.mirror === target.mirror) return;
  throw new Error(
    `${file} holds an interrupted backfill of table ${found.table} into mirror ${found.mirror}, not ${target.table} into ${target.mirror}: ` +
      'resume it with that table and mirror, keep it with --checkpoint <another file>, or drop it and start over with --restart',
  );
}

function refuseAnotherSegmentCount(file: string, found: Checkpoint, segments: number | undefined): void {
  if (segments === undefined || segments === found.segments.length) return;
  throw new Error(
    `the interrupted backfill in ${file} scans in ${found.segments.length} segment(s), and a Scan cannot go on in another count: ` +
      `leave out --segments to resume it, or add --restart to start over in ${segments} segment(s)`,
  );
}

/** Why the checkpoint's progress no longer means anything for this table and mirror, if it does not. */
function staleReason(found: Checkpoint, target: BackfillTarget): string | undefined {
  if (found.tableIncarnation === undefined || found.mirrorIndexes === undefined)
    return 'it does not record which table and mirror indexes it was for (an earlier version wrote it)';
  if (!sameIncarnation(found.tableIncarnation, target.incarnation)) {
    return `the table ${target.table} was deleted and created again since (created ${found.tableIncarnation.createdAt ?? '?'}, now ${target.incarnation.createdAt ?? '?'})`;
  }
  if ([...found.mirrorIndexes].sort().join() !== [...target.mirrorIndexes].sort().join()) {
    return `the mirror ${target.mirror} is not the one it wrote to: deleted and created again since (indexes ${found.mirrorIndexes.join(', ') || 'none'}, now ${target.mirrorIndexes.join(', ') || 'none'})`;
  }
  return undefined;
}

/** Same when every identity both know agrees, and they know one at least. */
function sameIncarnation(recorded: TableIncarnation, current: TableIncarnation): boolean {
  const fields = (['id', 'arn', 'createdAt'] as const).filter((field) => recorded[field] !== undefined && current[field] !== undefined);
  return fields.length > 0 && fields.every((field) => recorded[field] === current[field]);
}
