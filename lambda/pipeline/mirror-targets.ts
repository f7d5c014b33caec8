/**
 * The mirrors a batch writes, and each one's entries: the routing's decision for every record
 * (lambda/core/routing), in the form the mirror path takes. `enter` is a put of the mirror's
 * document; `leave` is a REMOVE there (a tombstone, then the delete), so a late, older write
 * cannot bring the item back where it no longer belongs; `failed` (the mirror's transform threw)
 * dead-letters that record's write to that mirror alone. Without routing, one mirror takes every
 * record as it is, exactly as before routing existed.
 */
import {
  mirrorMembership,
  routeToMirror,
  type ChangeRecord,
  type CompiledMirror,
  type MirrorEntry,
  type MirrorIndexes,
  type MirrorRouting,
  type Routing,
} from '../core';
import { mirrorBackingIndex, tombstoneIndex } from '../settings';
import type { BatchLedger } from './batch-ledger';

/**
 * One mirror of the batch: its alias (in messages and dead letters), its indexes, and what it
 * takes: routed (and shaped) when asked, so a mirror's routing can run while the requests of the
 * mirrors before it are in flight.
 */
export interface MirrorTarget {
  readonly alias: string;
  readonly indexes: MirrorIndexes;
  readonly entries: () => MirrorEntry[];
}

/** A parsed record and its document id (undefined: its keys do not fit the key schema, dead-lettered already). */
export interface IdentifiedChange {
  readonly position: number;
  readonly record: ChangeRecord;
  readonly id: string;
}

export function mirrorIndexesOf(alias: string): MirrorIndexes {
  return { mirror: mirrorBackingIndex(alias), tombstones: tombstoneIndex(alias) };
}

export function mirrorTargets(
  changes: readonly IdentifiedChange[],
  mirrorAlias: string,
  routing: Routing | undefined,
  ledger: BatchLedger,
): MirrorTarget[] {
  if (routing === undefined) return [{ alias: mirrorAlias, indexes: mirrorIndexesOf(mirrorAlias), entries: () => [...changes] }];
  return routing.mirrors.map((mirror) => ({
    alias: mirror.index,
    indexes: mirrorIndexesOf(mirror.index),
    entries: () => entriesOf(mirror, changes, ledger),
  }));
}

function entriesOf(mirror: CompiledMirror, changes: readonly IdentifiedChange[], ledger: BatchLedger): MirrorEntry[] {
  const whole = takesWholeItems(mirror);
  const entries: MirrorEntry[] = [];
  for (const change of changes) {
    const entry = whole ? entryOfWholeItem(mirror, change) : entryOf(mirror, change, ledger);
    if (entry) entries.push(entry);
  }
  return entries;
}

function entryOf(mirror: CompiledMirror, change: IdentifiedChange, ledger: BatchLedger): MirrorEntry | undefined {
  const routed = routeToMirror(mirror, change.record);
  switch (routed.action) {
    case 'enter':
      return entering(change, routed);
    case 'leave':
      return leaving(change);
    case 'failed':
      ledger.deadLetter(change.position, {
        target: 'mirror',
        targetIndex: mirror.index,
        errorType: 'transform_failed',
        reason: routed.error.message,
      });
      return undefined;
    default:
      return undefined;
  }
}

/**
 * A mirror that neither shapes nor transforms takes the item's image as it is: the routing's
 * membership alone decides, and the image is not turned into plain JSON and back.
 */
function takesWholeItems({ route, transform }: CompiledMirror): boolean {
  return (
    transform === undefined &&
    route.include === undefined &&
    route.exclude === undefined &&
    Object.keys(route.rename ?? {}).length === 0 &&
    Object.keys(route.fields ?? {}).length === 0
  );
}

function entryOfWholeItem(mirror: CompiledMirror, change: IdentifiedChange): MirrorEntry | undefined {
  switch (mirrorMembership(mirror, change.record)) {
    case 'enter':
      return change;
    case 'leave':
      return leaving(change);
    default:
      return undefined;
  }
}

/**
 * The shaped document goes in place of the image (the item's image is not kept: nothing of it
 * but the shaped document may reach this mirror). A REMOVE whose transform keeps a document (an
 * archive) is put like a change of the item, so it is written, not deleted.
 */
function entering(change: IdentifiedChange, routed: Extract<MirrorRouting, { action: 'enter' }>): MirrorEntry {
  const { newImage: _, ...record } = change.record;
  if (record.eventName !== 'REMOVE') return { ...change, record, shaped: routed.document };
  return { ...change, record: { ...record, eventName: 'MODIFY' }, shaped: routed.document, keptOnRemove: true };
}

/** Taken out of a mirror it no longer belongs to: a REMOVE there, at the change's own sequence number and time. */
function leaving(change: IdentifiedChange): MirrorEntry {
  const { newImage: _, ...record } = change.record;
  return { ...change, record: { ...record, eventName: 'REMOVE' } };
}
