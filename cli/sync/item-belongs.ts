import { recordWithout, routeToMirror, toChangeRecord, type AttributeMap } from '../../lambda/core';
import type { PipelineSettings } from '../../lambda/pipeline';
import { snapshotRecord } from './snapshot-record';

/**
 * Whether a repair has anything to write for an item the index does not hold: yes where the item
 * belongs there (or its transform fails, for the dead letter to say so); no where it does not
 * belong (a delete would only leave a needless tombstone). Settings of one mirror (repairTargets);
 * without routing, every item belongs to the one mirror.
 */
export function belongsInMirror(settings: PipelineSettings, item: AttributeMap): boolean {
  const routing = settings.compiledRouting;
  if (routing === undefined) return true;
  const record = recordWithout(toChangeRecord(snapshotRecord(item, settings.keySchema), { receivedAt: new Date() }), routing.exclusion);
  return routing.mirrors.some((mirror) => routeToMirror(mirror, record).action !== 'none');
}
