/**
 * What the pipeline needs from a search engine: read the bookkeeping of some documents, and
 * apply writes. Typed both ways; the OpenSearch adapter implements it (and a test double does).
 */
import type { DocumentRef, StoredState, WriteAction, WriteOutcome } from '../core';

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
}
