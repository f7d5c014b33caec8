/**
 * What the pipeline needs from a search engine: read the bookkeeping of some documents, apply
 * writes, and know the mirror's mapping. Typed both ways; the OpenSearch adapter implements it
 * (and a test double does).
 */
import type { DocumentRef, FieldKind, MappedFields, StoredState, WriteAction, WriteOutcome } from '../core';

export interface SearchPort {
  /**
   * The stored state of each document that exists, keyed by `refKey(ref)`; absent documents
   * (and absent indexes) are missing from the map. Throws when the engine cannot answer.
   */
  readStates(refs: readonly DocumentRef[]): Promise<Map<string, StoredState>>;

  /**
   * Applies the writes and says what happened to each, in order. Never throws for a write that
   * failed: a request the engine did not answer makes each of its writes `retry`.
   */
  write(actions: readonly WriteAction[]): Promise<WriteOutcome[]>;

  /**
   * The mapping of `index` as far as the port knows it, saying at least whether and how each of
   * `paths` is mapped. Kept by the port (a function container keeps one): the engine is read only
   * when one of `paths` is not known. Throws when the engine cannot answer.
   */
  mappedFields(index: string, paths: ReadonlySet<string>): Promise<MappedFields>;

  /** Fields that done writes mapped (their placement's `newFields`): known from now on without a read. */
  fieldsMapped(index: string, fields: ReadonlyMap<string, FieldKind>): void;

  /** The engine refused a document placed on what the port knew of `index`: read its mapping again next time. */
  forgetMapping(index: string): void;
}
