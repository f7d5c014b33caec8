/** With routing, `cdc status` shows each mirror index on its own lines (pipelineCounts counts them). */
import type { MirrorCounts } from '../../lambda/adapters/opensearch';

/** One line per mirror index, and what its documents hold that is not searchable. */
export function describeMirrorCounts(counts: readonly MirrorCounts[]): string[] {
  return counts.flatMap((mirror) => [
    `mirror ${mirror.index}: ${mirror.items} document(s), ${mirror.tombstones} tombstone(s)`,
    ...(mirror.unindexed > 0
      ? [`  ${mirror.unindexed} hold attributes kept exactly but unindexed (not searchable by them): read their _cdc.unindexed_reason`]
      : []),
    ...(mirror.ignored > 0
      ? [`  ${mirror.ignored} hold values left out of the index for not fitting their field's type: listed in _ignored`]
      : []),
  ]);
}
