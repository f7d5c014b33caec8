/**
 * What each mirror index should hold, item by item, after the same routing as the stream's
 * (routeToMirror on the item read as a SNAPSHOT, without the change log's excluded paths): the
 * document the item enters with, or nothing where it does not belong (no match, the mirror does
 * not take the change, or its transform returns null), or the transform's failure.
 */
import type { MirrorReader } from '../../lambda/adapters/opensearch';
import {
  attributeValueOf,
  recordWithout,
  routeToMirror,
  type AttributeMap,
  type ChangeRecord,
  type CompiledMirror,
  type Routing,
  type ShapedDocument,
} from '../../lambda/core';
import type { Expectation, MirrorCheck } from './verify';

export function routedChecks(routing: Routing, readerOf: (index: string) => MirrorReader): MirrorCheck[] {
  return routing.mirrors.map((mirror) => {
    const archives = !mirror.operations.has('REMOVE') ? 'every' : mirror.transform ? 'marked' : undefined;
    const notComparable = historyDependent(mirror);
    return {
      index: mirror.index,
      reader: readerOf(mirror.index),
      expect: expectation(routing, mirror),
      ...(archives ? { archives } : {}),
      ...(notComparable ? { notComparable } : {}),
    };
  });
}

/**
 * A mirror without INSERT or MODIFY holds what some changes of an item made, not the item as it
 * is: a Scan of the table cannot tell what that was.
 */
function historyDependent({ index, operations }: CompiledMirror): string | undefined {
  if (operations.has('INSERT') && operations.has('MODIFY')) return undefined;
  return `${index} takes ${[...operations].join(', ')} only: what it holds depends on each item's history, which a Scan of the table cannot see`;
}

export function expectation(routing: Pick<Routing, 'exclusion'>, mirror: CompiledMirror): (record: ChangeRecord) => Expectation {
  const whole = takesItemsWhole(mirror);
  return (record) => {
    const stripped = recordWithout(record, routing.exclusion);
    const routed = routeToMirror(mirror, stripped);
    if (routed.action === 'failed') return { failed: routed.error.message };
    if (routed.action !== 'enter') return { absent: true };
    // An item taken whole is compared as the table types it (sets in any order), as for the one mirror.
    return { image: whole ? stripped.newImage! : documentImage(routed.document) };
  };
}

/** No transform and no shaping: the document is the item. */
function takesItemsWhole({ route }: CompiledMirror): boolean {
  return [route.transform, route.include, route.exclude, route.rename, route.fields].every((setting) => setting === undefined);
}

/** The whole shaped document as DynamoDB JSON, the values that did not convert too (the mirror keeps them, unindexed). */
function documentImage(shaped: ShapedDocument): AttributeMap {
  return (attributeValueOf(shaped.document) as { M: AttributeMap }).M;
}
