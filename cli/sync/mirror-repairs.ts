/**
 * A repair of several mirrors: each index is put right alone (its own documents, tombstones and
 * sequence numbers), by the routing restricted to it, so an item enters the index it belongs to
 * and leaves, with a tombstone, one it does not belong to. Without routing, the one mirror.
 */
import type { MirrorReader } from '../../lambda/adapters/opensearch';
import type { PipelineSettings } from '../../lambda/pipeline';
import { repair, type Difference, type RepairOptions, type RepairResult } from './repair';

/** Each mirror index, and the settings that repair it alone. */
export function repairTargets(settings: PipelineSettings): { readonly index: string; readonly settings: PipelineSettings }[] {
  const routing = settings.compiledRouting;
  if (routing === undefined) return [{ index: settings.indexes.mirror, settings }];
  return routing.mirrors.map((mirror) => ({
    index: mirror.index,
    settings: { ...settings, indexes: { ...settings.indexes, mirror: mirror.index }, compiledRouting: { ...routing, mirrors: [mirror] } },
  }));
}

/** The same items put right in every mirror index (a re-drive's items: where they belong is the routing's to say). */
export async function repairEveryMirror(
  differences: readonly Difference[],
  options: Omit<RepairOptions, 'mirror'> & { readonly readerOf: (index: string) => MirrorReader },
): Promise<RepairResult> {
  const total: RepairResult = { repaired: 0, skipped: 0, failed: [], unreadable: [] };
  for (const target of repairTargets(options.settings)) {
    const result = await repair(differences, { ...options, mirror: options.readerOf(target.index), settings: target.settings });
    total.failed.push(...result.failed);
    total.unreadable.push(...result.unreadable.filter((id) => !total.unreadable.includes(id)));
    Object.assign(total, { repaired: total.repaired + result.repaired, skipped: total.skipped + result.skipped });
  }
  return total;
}
