/**
 * Reading the change log back: one item's changes, and the changes written after a point in
 * time (for following the log live). Responses are parsed as data (documents may hold
 * `__proto__` keys), in stream order.
 */
import { type ChangeLogDocument, type AttributeMap, compareSequenceNumbers } from '../../core';
import { pathOf, type SearchTransport } from './search-transport';

/** Where following the change log goes on: from a time, or after the last change seen. */
export type ChangeLogPosition = { readonly since: string } | { readonly after: readonly unknown[] };

export class ChangeLogReader {
  constructor(
    private readonly transport: SearchTransport,
    private readonly index: string,
  ) {}

  /** Every change of the item with these key values (typed or not: `S`, `N` and `B` all match), oldest first. */
  async history(key: Readonly<Record<string, string>>, limit = 10_000): Promise<ChangeLogDocument[]> {
    const hits = await this.search({
      size: limit,
      query: { bool: { must: keyClauses(key) } },
      sort: [{ timestamp: 'asc' }, { processed_at: 'asc' }],
    });
    return inStreamOrder(hits);
  }

  /**
   * The next changes written from `position` on (processing time, then event id), oldest first,
   * at most `limit`; with `key`, only that item's. The position returned goes on after the last
   * of them, however many changes share one processing time (a batch, a backfill page).
   */
  async writtenSince(
    position: ChangeLogPosition,
    options: { key?: Readonly<Record<string, string>>; limit?: number } = {},
  ): Promise<{ changes: ChangeLogDocument[]; next: ChangeLogPosition }> {
    const filter: object[] = [
      ...('since' in position ? [{ range: { processed_at: { gte: position.since } } }] : []),
      ...keyClauses(options.key ?? {}),
    ];
    await this.transport.request({ method: 'POST', path: pathOf(this.index, '_refresh') });
    const hits = await this.searchHits({
      size: options.limit ?? 1000,
      query: { bool: { filter } },
      // In the order they were written, across items and shards; the event id breaks ties.
      sort: [{ processed_at: 'asc' }, { event_id: 'asc' }],
      ...('after' in position ? { search_after: position.after } : {}),
    });
    return { changes: hits.map((hit) => hit._source), next: hits.length > 0 ? { after: hits[hits.length - 1].sort } : position };
  }

  private async search(body: object): Promise<ChangeLogDocument[]> {
    return (await this.searchHits(body)).map((hit) => hit._source);
  }

  private async searchHits(body: object): Promise<{ _source: ChangeLogDocument; sort: unknown[] }[]> {
    const response = await this.transport.request<{ hits: { hits: { _source: ChangeLogDocument; sort: unknown[] }[] } }>({
      method: 'POST',
      path: pathOf(this.index, '_search'),
      body,
    });
    return response.body.hits.hits;
  }
}

/** One clause per key attribute: its value typed `S`, `N` or `B` (the user types it plain). */
function keyClauses(key: Readonly<Record<string, string>>): object[] {
  return Object.entries(key).map(([name, value]) => ({
    bool: { should: ['S', 'N', 'B'].map((type) => ({ term: { [`keys.${name}.${type}`]: value } })), minimum_should_match: 1 },
  }));
}

/** Stream order within an item: sequence numbers compared exactly; manual records (none) by time. */
function inStreamOrder(documents: ChangeLogDocument[]): ChangeLogDocument[] {
  return documents.sort((a, b) =>
    a.sequence_number !== undefined && b.sequence_number !== undefined
      ? compareSequenceNumbers(a.sequence_number, b.sequence_number) || a.timestamp.localeCompare(b.timestamp)
      : a.timestamp.localeCompare(b.timestamp) || a.processed_at.localeCompare(b.processed_at),
  );
}

/** The key of a change-log document as plain text: `user-001`, or `pk sk` values joined. */
export function keyText(keys: AttributeMap): string {
  return Object.values(keys)
    .map((value) => String(value.S ?? value.N ?? value.B ?? JSON.stringify(value)))
    .join(' ');
}
