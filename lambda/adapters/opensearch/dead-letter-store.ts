/**
 * The dead-letter index, as re-drive reads and clears it: only the dead letters of one table.
 */
import type { Client } from '@opensearch-project/opensearch';
import type { RawStreamRecord } from '../../core';

export interface StoredDeadLetter {
  readonly id: string;
  readonly record: RawStreamRecord;
  readonly reason: string;
}

export class DeadLetterStore {
  constructor(
    private readonly client: Client,
    private readonly index: string,
  ) {}

  /** Oldest first, at most `limit`; only those recorded for `tableName`. */
  async list(tableName: string, limit = 10_000): Promise<StoredDeadLetter[]> {
    const exists = await this.client.indices.exists({ index: this.index });
    if (!exists.body) return [];
    await this.client.indices.refresh({ index: this.index });
    const response = await this.client.search({
      index: this.index,
      body: { size: limit, query: { term: { table_name: tableName } }, sort: [{ failed_at: 'asc' }] } as never,
    });
    const hits = response.body.hits.hits as { _id: string; _source: { record_json: string; reason: string } }[];
    return hits.map((hit) => ({ id: hit._id, record: JSON.parse(hit._source.record_json) as RawStreamRecord, reason: hit._source.reason }));
  }

  /** Counts the dead letters of other tables (or of none): re-drive leaves them and says so. */
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
