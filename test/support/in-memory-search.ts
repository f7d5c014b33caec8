/**
 * An in-memory search engine behind the SearchPort: conditional puts and deletes with revisions
 * and external versions (a conflict reports the stored version, as OpenSearch's reason does; a
 * delete's version is remembered only for gc_deletes of the engine's clock, and forgotten when the
 * index is closed and opened),
 * hooks to make chosen writes fail or to write concurrently, and (for indexes given one with
 * mapIndex) a dynamic mapping that refuses, skips and counts fields as OpenSearch 2.19 does with the
 * mirror's settings. Unit tests only: the integration suites run the real engine.
 */
import type { FieldKind, MappedFields } from '../../lambda/core/mirror-fields';
import { refKey, type DocumentRef, type Revision, type StoredState, type WriteAction, type WriteOutcome } from '../../lambda/core/writes';
import type { SearchPort } from '../../lambda/pipeline/search-port';
import { DynamicMapping } from './dynamic-mapping';

interface Stored {
  source: Record<string, any>;
  revision: number;
  version: number;
}

/** OpenSearch's default `index.gc_deletes`. */
export const GC_DELETES_MS = 60_000;

export class InMemorySearch implements SearchPort {
  private readonly indexes = new Map<string, Map<string, Stored>>();
  private revisions = 0;
  /** Versions of recent deletes, by index and id, with when they were done (engine clock). */
  private readonly deletes = new Map<string, { version: number; at: number }>();
  /** The engine's clock (for gc_deletes). */
  clock: () => number = () => Date.now();
  writeRequests = 0;
  /** The outcome to force for one write; undefined = behave normally. */
  fault: (action: WriteAction) => WriteOutcome | undefined = () => undefined;
  /** Throw instead of answering a state read. */
  readFault: () => Error | undefined = () => undefined;
  /** Runs after each state read, before the writes that follow: a concurrent writer. */
  afterRead: () => void = () => undefined;
  private readonly mappings = new Map<string, DynamicMapping>();
  /** Mapping reads, fields the pipeline said its writes mapped, and how often it asked to read the mapping again. */
  readonly mappingCalls = { reads: 0, learned: [] as [string, FieldKind][], forgotten: 0 };
  /** Values a mapped index left out without a trace: what a pipeline must never send. */
  readonly skippedWithoutTrace: { index: string; id: string; path: string }[] = [];

  /** Gives `index` a dynamic mapping (the mirror's bookkeeping fields mapped), with this field limit. */
  mapIndex(index: string, limit = 5000): DynamicMapping {
    const mapping = new DynamicMapping(limit);
    this.mappings.set(index, mapping);
    return mapping;
  }

  async mappedFields(index: string): Promise<MappedFields> {
    this.mappingCalls.reads++;
    const mapping = this.mappings.get(index);
    if (mapping === undefined) return { kinds: new Map(), count: 0, limit: Number.POSITIVE_INFINITY };
    return mapping.fields();
  }

  fieldsMapped(_index: string, fields: ReadonlyMap<string, FieldKind>): void {
    this.mappingCalls.learned.push(...fields);
  }

  forgetMapping(): void {
    this.mappingCalls.forgotten++;
  }

  /** Every index written so far. */
  indexNames(): string[] {
    return [...this.indexes.keys()];
  }

  sources(index: string): Record<string, Record<string, any>> {
    return Object.fromEntries([...(this.indexes.get(index) ?? new Map()).entries()].map(([id, doc]) => [id, doc.source]));
  }

  /** Writes behind the pipeline's back, as another writer would (internal versioning: one above the stored version). */
  put(index: string, id: string, source: Record<string, any>, version?: number): void {
    if (!this.indexes.has(index)) this.indexes.set(index, new Map());
    const stored = version ?? (this.indexes.get(index)!.get(id)?.version ?? 0) + 1;
    this.indexes.get(index)!.set(id, { source, revision: ++this.revisions, version: stored });
  }

  delete(index: string, id: string, version?: number): void {
    const stored = version ?? this.indexes.get(index)?.get(id)?.version;
    this.indexes.get(index)?.delete(id);
    if (stored !== undefined) this.deletes.set(refKey({ index, id }), { version: stored, at: this.clock() });
  }

  /** The stored version of a document, or of its delete while the engine remembers it. */
  storedVersion(index: string, id: string): number | undefined {
    const doc = this.indexes.get(index)?.get(id);
    if (doc) return doc.version;
    const deleted = this.deletes.get(refKey({ index, id }));
    return deleted !== undefined && this.clock() - deleted.at < GC_DELETES_MS ? deleted.version : undefined;
  }

  /** An index closed and opened: the versions of its deletes are forgotten. */
  closeAndOpen(index: string): void {
    for (const key of this.deletes.keys()) if (key.startsWith(`${index}\u0000`)) this.deletes.delete(key);
  }

  async readStates(refs: readonly DocumentRef[]): Promise<Map<string, StoredState>> {
    const fault = this.readFault();
    if (fault) throw fault;
    const states = new Map<string, StoredState>();
    for (const ref of refs) {
      const doc = this.indexes.get(ref.index)?.get(ref.id);
      if (doc)
        states.set(refKey(ref), {
          revision: String(doc.revision) as Revision,
          sequenceNumber: doc.source._cdc?.sequence_number,
          version: doc.version,
        });
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
    const version = action.condition.kind === 'version' ? action.condition.version : undefined;
    const current = this.storedVersion(action.index, action.id);
    if (version !== undefined && current !== undefined && current >= version) return { kind: 'stale', current };
    if (action.operation === 'delete') {
      this.delete(action.index, action.id, version ?? (existing ? existing.version + 1 : undefined));
      return { kind: 'written' };
    }
    const source = JSON.parse(action.document);
    const mapped = this.mappings.get(action.index)?.take(source);
    if (mapped?.refused) return { kind: 'unindexable', reason: mapped.refused, errorType: mapped.errorType };
    for (const path of mapped?.skipped ?? []) this.skippedWithoutTrace.push({ index: action.index, id: action.id, path });
    this.put(action.index, action.id, source, version);
    return { kind: 'written', revision: String(this.revisions) as Revision };
  }
}
