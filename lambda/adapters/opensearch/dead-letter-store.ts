/**
 * The dead-letter index, as re-drive reads and clears it: only the dead letters of one table, a
 * page at a time, however many there are.
 */
import type { Client } from '@opensearch-project/opensearch';
import { storedDeadLetter, type DeadLetterDocument, type StoredDeadLetter } from '../../core';

/** What re-drive needs of the dead letters (the store below, or a fake in tests). */
export interface DeadLetterSource {
  /** Every dead letter of `tableName`, oldest first, in pages. */
  pages(tableName: string): AsyncIterable<StoredDeadLetter[]>;
  /** The dead letters of other tables (or of none): re-drive leaves them and says so. */
  countOthers(tableName: string): Promise<number>;
  delete(ids: readonly string[]): Promise<void>;
}

type Hit = { _id: string; _source: Pick<DeadLetterDocument, 'record_json' | 'reason' | 'origin'> };

export class DeadLetterStore implements DeadLetterSource {
  constructor(
    private readonly client: Client,
    private readonly index: string,
    /** Dead letters per page: what re-drive holds in memory at once. */
    private readonly pageSize = 1_000,
  ) {}

  /**
   * A scroll: one consistent view taken when reading starts, so the letters re-drive deletes or
   * writes again (a record refused once more) while it pages neither shift the pages nor come back
   * in the same run. The scroll is kept alive for the time one page takes to re-drive.
   */
  async *pages(tableName: string): AsyncGenerator<StoredDeadLetter[]> {
    if (!(await this.client.indices.exists({ index: this.index })).body) return;
    await this.client.indices.refresh({ index: this.index });
    let response = await this.client.search({
      index: this.index,
      scroll: '10m',
      body: {
        size: this.pageSize,
        _source: ['record_json', 'reason', 'origin'],
        query: { term: { table_name: tableName } },
        sort: [{ failed_at: 'asc' }, '_doc'],
      } as never,
    });
    try {
      for (;;) {
        const hits = response.body.hits.hits as unknown as Hit[];
        if (hits.length === 0) return;
        yield hits.map((hit) => storedDeadLetter(hit._id, hit._source));
        if (!response.body._scroll_id) return;
        response = await this.client.scroll({ scroll_id: response.body._scroll_id, scroll: '10m' } as never);
      }
    } finally {
      if (response.body._scroll_id) await this.client.clearScroll({ scroll_id: response.body._scroll_id } as never).catch(() => undefined);
    }
  }

  async countOthers(tableName: string): Promise<number> {
    const exists = await this.client.indices.exists({ index: this.index });
    if (!exists.body) return 0;
    const response = await this.client.count({
      index: this.index,
      body: { query: { bool: { must_not: { term: { table_name: tableName } } } } } as never,
    });
    return (response.body as { count: number }).count;
  }

  async delete(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const response = await this.client.bulk({
      body: ids.map((id) => ({ delete: { _index: this.index, _id: id } })) as never,
      refresh: true,
    });
    const failed = ((response.body as { items?: { delete: { status: number } }[] }).items ?? []).filter(
      (item) => item.delete.status >= 300 && item.delete.status !== 404,
    );
    if (failed.length > 0)
      throw new Error(`${failed.length} re-driven dead letter(s) could not be cleared; they will be re-driven again (harmless)`);
  }
}
