/**
 * The dead-letter index, as re-drive reads and clears it: only the dead letters of one table, a
 * page at a time, however many there are.
 */
import { storedDeadLetter, type DeadLetterDocument, type StoredDeadLetter } from '../../core';
import { scrolledHits } from './scroll';
import { exists, pathOf, type SearchTransport } from './search-transport';

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
    private readonly transport: SearchTransport,
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
    if (!(await exists(this.transport, pathOf(this.index)))) return;
    await this.transport.request({ method: 'POST', path: pathOf(this.index, '_refresh') });
    const pages = scrolledHits<Hit>(this.transport, {
      index: this.index,
      keepAlive: '10m',
      body: {
        size: this.pageSize,
        _source: ['record_json', 'reason', 'origin'],
        query: { term: { table_name: tableName } },
        sort: [{ failed_at: 'asc' }, '_doc'],
      },
    });
    for await (const hits of pages) yield hits.map((hit) => storedDeadLetter(hit._id, hit._source));
  }

  async countOthers(tableName: string): Promise<number> {
    if (!(await exists(this.transport, pathOf(this.index)))) return 0;
    const response = await this.transport.request<{ count: number }>({
      method: 'POST',
      path: pathOf(this.index, '_count'),
      body: { query: { bool: { must_not: { term: { table_name: tableName } } } } },
    });
    return response.body.count;
  }

  async delete(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const response = await this.transport.request<{ items?: { delete: { status: number } }[] }>({
      method: 'POST',
      path: '/_bulk',
      querystring: { refresh: true },
      bulkBody: ids.map((id) => ({ delete: { _index: this.index, _id: id } })),
    });
    const failed = (response.body.items ?? []).filter((item) => item.delete.status >= 300 && item.delete.status !== 404);
    if (failed.length > 0)
      throw new Error(`${failed.length} re-driven dead letter(s) could not be cleared; they will be re-driven again (harmless)`);
  }
}
