/**
 * Counts of the pipeline's indexes, for `cdc status`: the mirror's items (and those holding values
 * the index does not search), the change log by event name (all, and since a time), its newest
 * document, and the dead letters.
 */
import { MIRROR_METADATA_FIELD } from '../../core';
import type { IndexNames } from '../../settings';
import { pathOf, type SearchTransport } from './search-transport';

export interface PipelineCounts {
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

export async function pipelineCounts(transport: SearchTransport, indexes: IndexNames, since: Date): Promise<PipelineCounts> {
  await transport.request({
    method: 'POST',
    path: pathOf([indexes.mirror, indexes.changeLog, indexes.deadLetter].join(','), '_refresh'),
    querystring: { ignore_unavailable: true },
  });
  const count = async (index: string, query?: object) => {
    const response = await transport.request<{ count: number }>({
      method: 'POST',
      path: pathOf(index, '_count'),
      querystring: { ignore_unavailable: true },
      ...(query ? { body: { query } } : {}),
    });
    return response.body.count;
  };
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
  return {
    mirrorItems: await count(indexes.mirror),
    mirrorItemsUnindexed: await count(indexes.mirror, { exists: { field: `${MIRROR_METADATA_FIELD}.unindexed_reason` } }),
    mirrorItemsIgnored: await count(indexes.mirror, { exists: { field: '_ignored' } }),
    changes: byEvent(aggs.all.buckets),
    changesSince: byEvent(aggs.recent.events.buckets),
    ...(aggs.newest.value_as_string ? { newestChangeAt: aggs.newest.value_as_string } : {}),
    deadLetters: await count(indexes.deadLetter),
  };
}
