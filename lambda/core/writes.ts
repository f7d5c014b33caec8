/**
 * What the pipeline asks of the search engine, and what it hears back, in its own terms: put or
 * delete this document in that index, on this condition; written, lost a race, retry, or refused.
 * How that is said on the wire (bulk requests, statuses, error types, sequence numbers of the
 * engine) is the adapter's business.
 */

/** The engine's token for one version of a stored document; the core only hands it back. */
export type Revision = string & { readonly __revision: unique symbol };

/** Which of the pipeline's indexes a write goes to. */
export type IndexRole = 'change-log' | 'mirror' | 'tombstone' | 'dead-letter';

export type WriteCondition =
  /** Only if no document has this id (a repeat of the same write finds it and is a duplicate). */
  | { readonly kind: 'absent' }
  /** Only if the document is still at this revision (nobody wrote it since we read it). */
  | { readonly kind: 'unchanged'; readonly revision: Revision }
  /**
   * External version: only if the stored version (or the remembered version of a recent delete)
   * is below this one. Mirror and tombstone writes (see external-version.ts).
   */
  | { readonly kind: 'version'; readonly version: number }
  | { readonly kind: 'any' };

interface WriteBase {
  readonly role: IndexRole;
  readonly index: string;
  readonly id: string;
  readonly condition: WriteCondition;
  /** Positions, in the batch, of the records this write stands for. */
  readonly records: readonly number[];
}

export interface PutDocument extends WriteBase {
  readonly operation: 'put';
  /** The document as JSON text, numbers exact. */
  readonly document: string;
}

export interface DeleteDocument extends WriteBase {
  readonly operation: 'delete';
}

export type WriteAction = PutDocument | DeleteDocument;

export type WriteOutcome =
  /** Done (a delete of a document already gone is done too). */
  | { readonly kind: 'written'; readonly revision?: Revision }
  /** Condition `absent` not met: the document exists. */
  | { readonly kind: 'exists' }
  /** Condition `unchanged` not met: somebody wrote (or deleted) the document since we read it. */
  | { readonly kind: 'changed' }
  /** Condition `version` not met: the stored version, when the engine said it, is at or above ours. */
  | { readonly kind: 'stale'; readonly current?: number }
  /** Not written this time; worth trying again as it is (engine down, overloaded, index closed). */
  | { readonly kind: 'retry'; readonly reason: string }
  /** The index cannot map this document as it is: send it in the stored (unindexed) form. */
  | { readonly kind: 'unindexable'; readonly reason: string; readonly errorType: string }
  /** Will never be accepted as sent (too large, for example): dead-letter it. */
  | { readonly kind: 'refused'; readonly reason: string; readonly errorType: string; readonly status?: number };

/** A stored document's bookkeeping, as the pipeline needs it to order writes. */
export interface StoredState {
  readonly revision: Revision;
  /** Sequence number of the change the document reflects. */
  readonly sequenceNumber?: string;
  /** The document's (external) version. */
  readonly version?: number;
}

export interface DocumentRef {
  readonly index: string;
  readonly id: string;
}

/** Lookup key of a (index, id) pair in a map of states. */
export function refKey(ref: DocumentRef): string {
  return `${ref.index}\u0000${ref.id}`;
}
