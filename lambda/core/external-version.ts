/**
 * The engine-side order of mirror and tombstone writes: every such write carries an external
 * version, and the engine refuses one whose version is not above the stored one (or the remembered
 * one of a recent delete). See docs/ordering.md for why an older change never wins.
 *
 * A stream change's version is its `ApproximateCreationDateTime` in microseconds: DynamoDB's
 * clock, never ours, and below 2^53 until the year 2255. One item's changes never go back in
 * time, so a newer change has a version at least as high as an older one; changes of one second
 * share a version and collide, and a collision is settled by the exact sequence numbers (the
 * read path), never by the version.
 */
import type { ChangeRecord } from './change-record';

/**
 * How far, in microseconds, the stored version may be above ours and still reflect an older
 * change: beyond it, a conflict means a newer change is stored (no read needed). Generous
 * against any jitter of the approximate creation times; the bumps of the read path (+1 each) are
 * far below it.
 */
export const SKEW_WINDOW_MICROS = 5 * 60 * 1_000_000;

/**
 * The version a stream change carries: its creation time in microseconds. Changes not from the
 * stream (manual, backfilled, repairs) have no creation time of DynamoDB: 0, and their writes go
 * just above what they read (see versionAbove).
 */
export function streamVersion(record: ChangeRecord): number {
  return record.origin === 'stream' ? record.approximateCreationTime.getTime() * 1000 : 0;
}

/**
 * The version of a write planned from what was read: above the stored version (so any write
 * made since the read conflicts, as only a higher version could be written) and, for a stream
 * change, at least its own creation time (so the stream's older changes still meet a conflict).
 * With nothing stored, above the version a conflict reported (a delete the engine remembers).
 */
export function versionAbove(record: ChangeRecord, stored: number | undefined, conflict: number | undefined): number {
  const floor = stored ?? conflict ?? 0;
  return Math.max(streamVersion(record), floor + 1);
}

/**
 * A write of version `ours` met a stored version `current`. For a stream change (whose version is
 * at least its creation time), a stored version far enough above is a newer change: superseded
 * without a read. Else (another origin, whose small version says nothing of time, or within the
 * window, or the engine did not say) the exact sequence numbers decide, after a read. A snapshot
 * too: the engine may hold a document (superseded), or remember a delete nobody recorded a
 * tombstone for (a `_delete_by_query` of the mirror before a backfill), where it must be written.
 */
export function conflictVerdict(record: ChangeRecord, ours: number, current: number | undefined): 'superseded' | 'compare' {
  return record.origin === 'stream' && current !== undefined && isBeyondWindow(ours, current) ? 'superseded' : 'compare';
}

/** Whether a version is more than the skew window above another: of a change made later, whatever the sequence numbers say. */
export function isBeyondWindow(lower: number, higher: number): boolean {
  return higher > lower + SKEW_WINDOW_MICROS;
}

/**
 * The engine remembers a delete's version for `index.gc_deletes` (60 s by default). An upsert
 * written without a read is checked against the tombstones by a read sent beside its write; a
 * REMOVE recorded after that read and before the write has its delete still remembered when the
 * write lands (the write conflicts) as long as the two are closer than gc_deletes. When the write
 * took longer than this, the tombstones are read again after it.
 */
export const TOMBSTONE_CHECK_LEAD_LIMIT_MS = 30_000;
