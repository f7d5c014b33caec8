/**
 * With routing, `cdc status` counts each mirror index: its documents (and those holding values the
 * index does not search) and its tombstones (deletes remembered, purged after their retention).
 */
import { pathOf, type SearchTransport } from '../../lambda/adapters/opensearch';
import { MIRROR_METADATA_FIELD } from '../../lambda/core';
import { tombstoneIndex } from '../../lambda/settings';

export interface MirrorIndexCounts {
  readonly index: string;
  readonly documents: number;
  readonly tombstones: number;
  /** Documents holding attributes kept exactly but unindexed (`_cdc.unindexed_reason`). */
  readonly unindexed: number;
  /** Documents holding values left out of the index for not fitting their field's type (`_ignored`). */
  readonly ignored: number;
}

export async function mirrorIndexCounts(transport: SearchTransport, mirrors: readonly string[]): Promise<MirrorIndexCounts[]> {
  const all = mirrors.flatMap((mirror) => [mirror, tombstoneIndex(mirror)]);
  await transport.request({ method: 'POST', path: pathOf(all.join(','), '_refresh'), querystring: { ignore_unavailable: true } });
  const count = async (index: string, query?: object) => {
    const response = await transport.request<{ count: number }>({
      method: 'POST',
      path: pathOf(index, '_count'),
      querystring: { ignore_unavailable: true },
      ...(query ? { body: { query } } : {}),
    });
    return response.body.count;
  };
  return Promise.all(
    mirrors.map(async (index) => ({
      index,
      documents: await count(index),
      tombstones: await count(tombstoneIndex(index)),
      unindexed: await count(index, { exists: { field: `${MIRROR_METADATA_FIELD}.unindexed_reason` } }),
      ignored: await count(index, { exists: { field: '_ignored' } }),
    })),
  );
}

/** One line per mirror index, and what its documents hold that is not searchable. */
export function describeMirrorCounts(counts: readonly MirrorIndexCounts[]): string[] {
  return counts.flatMap((mirror) => [
    `mirror ${mirror.index}: ${mirror.documents} document(s), ${mirror.tombstones} tombstone(s)`,
    ...(mirror.unindexed > 0
      ? [`  ${mirror.unindexed} hold attributes kept exactly but unindexed (not searchable by them): read their _cdc.unindexed_reason`]
      : []),
    ...(mirror.ignored > 0
      ? [`  ${mirror.ignored} hold values left out of the index for not fitting their field's type: listed in _ignored`]
      : []),
  ]);
}
