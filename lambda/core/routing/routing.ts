/**
 * Which indexes a change goes to, and as what: one routing function for the stream, `cdc
 * backfill`, `cdc verify` (and `--repair`) and `cdc redrive`, so an item is routed the same way
 * whichever path brings it.
 *
 * For each mirror a record is one of:
 * - `enter`: the item belongs there (its `match` holds on the new image, the mirror takes the
 *   operation, and its transform, if any, returns a document): write this document. Also a
 *   REMOVE whose transform returns a document (kept instead of deleted: an archive, a soft delete);
 * - `leave`: the item may be there and does not belong any more: delete it with a tombstone (so a
 *   late, older write cannot bring it back). A REMOVE of an item that matched (decided on the old
 *   image; its transform, if any, returns null); a MODIFY whose new image no longer matches while the old one did, or whose transform
 *   now returns null; where the old image is not known (a repair, a hand-made record), the item
 *   may be anywhere, so it leaves wherever it does not belong;
 * - `none`: nothing to do here (the item never was and is not there, or the mirror does not take
 *   the operation: without REMOVE a deleted item's document stays, an archive);
 * - `failed`: the transform threw or returned no document: the pipeline dead-letters that
 *   record's write to this mirror, with the message, and goes on.
 *
 * Where an item belongs is a function of its new image alone: a stream INSERT or MODIFY and a
 * backfill's SNAPSHOT of the same image enter the same mirrors with the same documents. Leaving
 * also reads the old image, which only a stream MODIFY has. A mirror that does not take MODIFY
 * never sees an item leave by changing (nor change in it). The change log's `exclude` is applied
 * to the record before anything reads it (image-exclusion.ts).
 */
import type { ChangeRecord } from '../change-record';
import type { LosslessObject } from '../lossless-json';
import { toPlainJson } from '../mirror-document';
import type { PathTree } from './attribute-path';
import { documentShape, shapeDocument, type DocumentShape, type ShapedDocument } from './document-shaping';
import { exclusionOf, recordWithout } from './image-exclusion';
import { compileMatch, type ImagePredicate } from './route-match';
import { OPERATIONS, operationsOf, type ChangeLogRoute, type MirrorRoute, type Operation } from './route';
import { applyTransform, TransformError, type Transform } from './transform';

/** A mirror's route, compiled once (paths parsed, match turned into a predicate). */
export interface CompiledMirror {
  readonly route: MirrorRoute;
  readonly index: string;
  readonly operations: ReadonlySet<Operation>;
  readonly matches: ImagePredicate;
  readonly shape: DocumentShape;
  readonly transform?: Transform;
}

export interface Routing {
  readonly mirrors: readonly CompiledMirror[];
  readonly changeLogOperations: ReadonlySet<Operation>;
  /** The change log's `exclude`, applied to every record first. */
  readonly exclusion?: PathTree;
}

/**
 * @param transformOf the function of each mirror that names a transform (the function: the
 *   registry; tests: their own). A mirror that names one it does not give is refused here.
 */
export function compileRouting(
  mirrors: readonly MirrorRoute[],
  changeLog: ChangeLogRoute = {},
  transformOf: (index: string) => Transform | undefined = () => undefined,
): Routing {
  return {
    mirrors: mirrors.map((route) => {
      const transform = route.transform === undefined ? undefined : transformOf(route.index);
      if (route.transform !== undefined && transform === undefined) {
        throw new Error(`the transform ${route.transform} of mirror ${route.index} is not bundled into this function`);
      }
      return {
        route,
        index: route.index,
        operations: operationsOf(route),
        matches: compileMatch(route.match),
        shape: documentShape(route),
        ...(transform ? { transform } : {}),
      };
    }),
    changeLogOperations: operationsOf(changeLog),
    exclusion: exclusionOf(changeLog.exclude),
  };
}

export type Membership = 'enter' | 'leave' | 'none';

export type MirrorRouting =
  | { readonly index: string; readonly action: 'enter'; readonly document: ShapedDocument }
  | { readonly index: string; readonly action: 'leave' | 'none' }
  | { readonly index: string; readonly action: 'failed'; readonly error: TransformError };

export interface RoutedRecord {
  /** The record without the change log's excluded paths: what every index and dead letter gets. */
  readonly record: ChangeRecord;
  /** Whether the change log records it. */
  readonly changeLog: boolean;
  /** One entry per mirror, in the order of the settings. */
  readonly mirrors: readonly MirrorRouting[];
}

export function routeRecord(routing: Routing, record: ChangeRecord): RoutedRecord {
  const stripped = recordWithout(record, routing.exclusion);
  return {
    record: stripped,
    changeLog: takesChange(routing.changeLogOperations, stripped),
    mirrors: routing.mirrors.map((mirror) => routeToMirror(mirror, stripped)),
  };
}

/** The record's routing to one mirror (the record already without the change log's excluded paths). */
export function routeToMirror(mirror: CompiledMirror, record: ChangeRecord): MirrorRouting {
  const membership = mirrorMembership(mirror, record);
  const removed = membership === 'leave' && record.eventName === 'REMOVE';
  if (membership === 'enter' && !mirror.transform) return entering(mirror, toPlainJson(record.newImage!));
  if (!(membership === 'enter' || (removed && mirror.transform))) return { index: mirror.index, action: membership };
  // The transform decides: a document enters (for a REMOVE, it is kept instead of deleted), null means not here.
  try {
    const transformed = applyTransform(mirror.transform!, mirror.route.transform!, mirror.index, record);
    if (transformed !== null) return entering(mirror, transformed);
    return { index: mirror.index, action: cannotBeThere(record) ? 'none' : 'leave' };
  } catch (error) {
    if (error instanceof TransformError) return { index: mirror.index, action: 'failed', error };
    throw error;
  }
}

function entering(mirror: CompiledMirror, document: LosslessObject): MirrorRouting {
  return { index: mirror.index, action: 'enter', document: shapeDocument(mirror.shape, document) };
}

/** Membership by the mirror's `match` and `operations` (a transform may still turn `enter` away). */
export function mirrorMembership(mirror: Pick<CompiledMirror, 'operations' | 'matches'>, record: ChangeRecord): Membership {
  if (record.eventName === 'REMOVE') {
    if (!mirror.operations.has('REMOVE')) return 'none';
    return record.oldImage === undefined || mirror.matches(record.oldImage) ? 'leave' : 'none';
  }
  if (mirror.matches(record.newImage!)) return takesChange(mirror.operations, record) ? 'enter' : 'none';
  if (cannotBeThere(record) || !mirror.operations.has('MODIFY')) return 'none';
  return record.oldImage === undefined || mirror.matches(record.oldImage) ? 'leave' : 'none';
}

/** An INSERT, or a backfill's snapshot: nothing of the item can be in a mirror to take away. */
function cannotBeThere(record: ChangeRecord): boolean {
  return record.eventName === 'INSERT' || record.eventName === 'SNAPSHOT';
}

/** Whether an index taking these operations takes the change; a snapshot (the item as it is) is taken by one that takes INSERT or MODIFY. */
export function takesChange(operations: ReadonlySet<Operation>, record: Pick<ChangeRecord, 'eventName'>): boolean {
  if (record.eventName === 'SNAPSHOT') return operations.has('INSERT') || operations.has('MODIFY');
  return operations.has(record.eventName);
}

/**
 * The operations some index takes (the change log or a mirror), in the stream's order. Those
 * nobody takes can be filtered out before the function is invoked (the event source mapping's
 * FilterCriteria); the others reach it, and each index takes what it wants.
 */
export function wantedOperations(mirrors: readonly MirrorRoute[], changeLog: ChangeLogRoute = {}): Operation[] {
  const wanted = new Set<Operation>(operationsOf(changeLog));
  for (const mirror of mirrors) for (const operation of operationsOf(mirror)) wanted.add(operation);
  return OPERATIONS.filter((operation) => wanted.has(operation));
}
