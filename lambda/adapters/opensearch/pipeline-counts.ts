/**
 * Counts of the pipeline's indexes, for `cdc status`: each mirror's items (and those holding values
 * the index does not search) and tombstones, the change log by event name (all, and since a time), its newest
 * document, and the dead letters.
 */
import { MIRROR_METADATA_FIELD } from '../../core';
import { tombstoneIndex, type IndexNames, type MirrorAliases } from '../../settings';
import { pathOf, type SearchTransport } from './search-transport';

/** One mirror's items, read through its alias. */
export interface MirrorCounts {
  readonly index: string;
  readonly items: number;
  /** Deletes remembered (purged after their retention), so that an older write cannot bring an item back. */
  readonly tombstones: number;
  /** Items holding attributes kept exactly but unindexed, under `_cdc.unindexed`. */
  readonly unindexed: number;
  /** Items holding values the index left out for not fitting their field's type (`_ignored`). */
  readonly ignored: number;
}

export interface PipelineCounts {
  /** Each mirror, in the order of the settings. */
  readonly mirrors: readonly MirrorCounts[];
  /** Items of every mirror together (an item in two mirrors counts twice). */
  readonly mirrorItems: number;
  /** Mirror items holding attributes kept exactly but unindexed, under `_cdc.unindexed` (the reason in `_cdc.unindexed_reason`). */
  readonly mirrorItemsUnindexed: number;
  /** Mirror items holding values the index left out for not fitting their field's type, listed in OpenSearch's `_ignored`. */
  readonly mirrorItemsIgnored: number;
  readonly changes: Record<string, number>;
  readonly changesSince: Record<string, number>;
  /** `processed_at` of the newest change-log document. */
  readonly newestChangeAt?: string;
  readonly deadLetters: number;
}

/** @param mirrors the mirrors' aliases (mirrorAliases of the settings); by default the one mirror `indexes.mirror` */
export async function pipelineCounts(
  transport: SearchTransport,
  indexes: IndexNames,
  since: Date,
  mirrors: MirrorAliases = [indexes.mirror],
): Promise<PipelineCounts> {
  await transport.request({
    method: 'POST',
    path: pathOf(
      [...mirrors.flatMap((mirror) => [mirror, tombstoneIndex(mirror)]), indexes.changeLog, indexes.deadLetter].join(','),
      '_refresh',
    ),
    querystring: { ignore_unavailable: true },
  });
  const count = (index: string, query?: object) => countOf(transport, index, query);
  const byEvent = (buckets: { key: string; doc_count: number }[]) =>
    Object.fromEntries(buckets.map((bucket) => [bucket.key, bucket.doc_count]));
  const log = await transport.request({
    method: 'POST',
    path: pathOf(indexes.changeLog, '_search'),
    body: {
      size: 0,
      aggs: {
        all: { terms: { field: 'event_name', size: 10 } },
        recent: {
          filter: { range: { processed_at: { gte: since.toISOString() } } },
          aggs: { events: { terms: { field: 'event_name', size: 10 } } },
        },
        newest: { max: { field: 'processed_at' } },
      },
    },
  });
  const aggs = log.body.aggregations;
  const mirrorCounts: MirrorCounts[] = [];
  for (const index of mirrors) mirrorCounts.push(await mirrorCountsOf(transport, index));
  const sum = (key: 'items' | 'unindexed' | 'ignored') => mirrorCounts.reduce((total, mirror) => total + mirror[key], 0);
  return {
    mirrors: mirrorCounts,
    mirrorItems: sum('items'),
    mirrorItemsUnindexed: sum('unindexed'),
    mirrorItemsIgnored: sum('ignored'),
    changes: byEvent(aggs.all.buckets),
    changesSince: byEvent(aggs.recent.events.buckets),
    ...(aggs.newest.value_as_string ? { newestChangeAt: aggs.newest.value_as_string } : {}),
    deadLetters: await count(indexes.deadLetter),
  };
}

async function mirrorCountsOf(transport: SearchTransport, index: string): Promise<MirrorCounts> {
  return {
    index,
    items: await countOf(transport, index),
    tombstones: await countOf(transport, tombstoneIndex(index)),
    unindexed: await countOf(transport, index, { exists: { field: `${MIRROR_METADATA_FIELD}.unindexed_reason` } }),
    ignored: await countOf(transport, index, { exists: { field: '_ignored' } }),
  };
}

/** Documents of an index (none when it does not exist), or those matching a query. */
async function countOf(transport: SearchTransport, index: string, query?: object): Promise<number> {
  const response = await transport.request<{ count: number }>({
    method: 'POST',
    path: pathOf(index, '_count'),
    querystring: { ignore_unavailable: true },
    ...(query ? { body: { query } } : {}),
  });
  return response.body.count;
}
