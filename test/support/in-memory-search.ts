/**
 * An in-memory stand-in for the two OpenSearch calls the pipeline makes (mget, bulk), with
 * OpenSearch's create / if_seq_no semantics, and hooks to make chosen items or requests fail.
 * Unit tests only: the integration suites run the real engine.
 */
import type { BulkResponse, BulkResponseItem } from '../../lambda/core/bulk';
import type { MirrorState } from '../../lambda/core/mirror-plan';
import type { SearchPort } from '../../lambda/sync/apply-changes';

export interface StoredDocument {
  source: Record<string, any>;
  seqNo: number;
}

export type ItemFault = { status: number; error: { type: string; reason: string } } | undefined;

export class InMemorySearch implements SearchPort {
  readonly indexes = new Map<string, Map<string, StoredDocument>>();
  private seqNo = 0;
  bulkRequests = 0;
  /** Decide a fault for one bulk item (index, id, source); undefined = behave normally. */
  itemFault: (index: string, id: string, source: Record<string, any>) => ItemFault = () => undefined;
  /** Throw instead of answering a bulk request. */
  requestFault: (() => Error | undefined) = () => undefined;
  /** Tamper with a response before returning it. */
  responseFilter: (response: BulkResponse) => BulkResponse = (response) => response;
  /** Runs between reading state and the following bulk: simulates a concurrent writer. */
  afterMget: () => void = () => undefined;

  index(name: string): Map<string, StoredDocument> {
    if (!this.indexes.has(name)) this.indexes.set(name, new Map());
    return this.indexes.get(name)!;
  }

  sources(name: string): Record<string, Record<string, any>> {
    return Object.fromEntries([...this.index(name).entries()].map(([id, doc]) => [id, doc.source]));
  }

  write(index: string, id: string, source: Record<string, any>): void {
    this.index(index).set(id, { source, seqNo: this.seqNo++ });
  }

  async getMirrorStates(index: string, ids: readonly string[]): Promise<Map<string, MirrorState>> {
    const states = new Map<string, MirrorState>();
    for (const id of ids) {
      const doc = this.index(index).get(id);
      if (doc) states.set(id, { sequenceNumber: doc.source._cdc?.sequence_number, seqNo: doc.seqNo, primaryTerm: 1 });
    }
    this.afterMget();
    return states;
  }

  async bulk(body: string): Promise<BulkResponse> {
    this.bulkRequests++;
    const fault = this.requestFault();
    if (fault) throw fault;
    const lines = body.split('\n').filter((line) => line.length > 0);
    const items: BulkResponseItem[] = [];
    for (let i = 0; i < lines.length; i += 2) {
      const header = JSON.parse(lines[i]);
      const opType = Object.keys(header)[0];
      const meta = header[opType];
      const source = JSON.parse(lines[i + 1]);
      const docs = this.index(meta._index);
      const existing = docs.get(meta._id);
      const injected = this.itemFault(meta._index, meta._id, source);
      let status: number;
      let error: { type: string; reason: string } | undefined;
      if (injected) {
        ({ status, error } = injected);
      } else if (opType === 'create' && existing) {
        status = 409;
        error = { type: 'version_conflict_engine_exception', reason: 'document already exists' };
      } else if (meta.if_seq_no !== undefined && (!existing || existing.seqNo !== meta.if_seq_no)) {
        status = 409;
        error = { type: 'version_conflict_engine_exception', reason: 'seq_no mismatch' };
      } else {
        status = existing ? 200 : 201;
        this.write(meta._index, meta._id, source);
      }
      items.push({ [opType]: { _index: meta._index, _id: meta._id, status, ...(error ? { error } : {}) } });
    }
    return this.responseFilter({ errors: items.some((item) => Object.values(item)[0].status >= 300), items });
  }
}
