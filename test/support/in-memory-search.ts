/**
 * An in-memory search engine behind the SearchPort: conditional puts and deletes with revisions,
 * and hooks to make chosen writes fail or to write concurrently. Unit tests only: the
 * integration suites run the real engine.
 */
import { refKey, type DocumentRef, type Revision, type StoredState, type WriteAction, type WriteOutcome } from '../../lambda/core/writes';
import type { SearchPort } from '../../lambda/pipeline/search-port';

interface Stored {
  source: Record<string, any>;
  revision: number;
}

export class InMemorySearch implements SearchPort {
  private readonly indexes = new Map<string, Map<string, Stored>>();
  private revisions = 0;
  writeRequests = 0;
  /** The outcome to force for one write; undefined = behave normally. */
  fault: (action: WriteAction) => WriteOutcome | undefined = () => undefined;
  /** Throw instead of answering a state read. */
  readFault: () => Error | undefined = () => undefined;
  /** Runs after each state read, before the writes that follow: a concurrent writer. */
  afterRead: () => void = () => undefined;

  /** Every index written so far. */
  indexNames(): string[] {
    return [...this.indexes.keys()];
  }

  sources(index: string): Record<string, Record<string, any>> {
    return Object.fromEntries([...(this.indexes.get(index) ?? new Map()).entries()].map(([id, doc]) => [id, doc.source]));
  }

  /** Writes behind the pipeline's back, as another writer would. */
  put(index: string, id: string, source: Record<string, any>): void {
    if (!this.indexes.has(index)) this.indexes.set(index, new Map());
    this.indexes.get(index)!.set(id, { source, revision: ++this.revisions });
  }

  delete(index: string, id: string): void {
    this.indexes.get(index)?.delete(id);
  }

  async readStates(refs: readonly DocumentRef[]): Promise<Map<string, StoredState>> {
    const fault = this.readFault();
    if (fault) throw fault;
    const states = new Map<string, StoredState>();
    for (const ref of refs) {
      const doc = this.indexes.get(ref.index)?.get(ref.id);
      if (doc) states.set(refKey(ref), { revision: String(doc.revision) as Revision, sequenceNumber: doc.source._cdc?.sequence_number });
    }
    this.afterRead();
    return states;
  }

  async write(actions: readonly WriteAction[]): Promise<WriteOutcome[]> {
    this.writeRequests++;
    return actions.map((action) => this.fault(action) ?? this.apply(action));
  }

  private apply(action: WriteAction): WriteOutcome {
    const existing = this.indexes.get(action.index)?.get(action.id);
    if (action.condition.kind === 'absent' && existing) return { kind: 'exists' };
    if (action.condition.kind === 'unchanged' && String(existing?.revision) !== action.condition.revision) return { kind: 'changed' };
    if (action.operation === 'delete') {
      this.delete(action.index, action.id);
      return { kind: 'written' };
    }
    this.put(action.index, action.id, JSON.parse(action.document));
    return { kind: 'written', revision: String(this.revisions) as Revision };
  }
}
