/**
 * What one `_bulk` item's status and error mean for the write behind it.
 *
 * - written: 2xx (and a delete of a document already gone).
 * - exists / changed / stale: a 409 (version conflict) on a conditional write: a duplicate delivery
 *   of a `create` (ids are event ids), a document somebody wrote since we read it, or a stored
 *   external version at or above ours (with the stored version, read from the reason).
 * - retry: worth trying again as it is: 429, 5xx, 401/403, a missing index, a closed index, a
 *   cluster block, an alias that does not resolve, an index the cluster refuses to create (its
 *   shard limit: see index-creation-refusal.ts); and anything not understood.
 * - unindexable: the document cannot be mapped as it is (mapping conflicts, field limits, bad
 *   field names): the pipeline sends it again with its data unindexed.
 * - refused: will never be accepted as sent (too large): dead-lettered.
 */
import type { WriteAction, WriteOutcome } from '../../core';
import { isIndexCreationRefusal, isShardLimit, SHARD_LIMIT_ADVICE, type OpenSearchError } from './index-creation-refusal';

export type BulkItemError = OpenSearchError;

/** Error types of a 400 that are about the index's state, not the document: they pass. */
const TRANSIENT_ERROR_TYPES: ReadonlySet<string> = new Set([
  'index_closed_exception',
  'cluster_block_exception',
  'index_not_found_exception',
  'no_shard_available_action_exception',
  'unavailable_shards_exception',
  'es_rejected_execution_exception',
  'circuit_breaking_exception',
  'process_cluster_event_timeout_exception',
]);

/** Error types saying the document does not fit the index's mapping. */
const UNINDEXABLE_ERROR_TYPES: ReadonlySet<string> = new Set([
  'mapper_parsing_exception',
  'document_parsing_exception',
  'strict_dynamic_mapping_exception',
  'illegal_argument_exception',
  'mapper_exception',
  'x_content_parse_exception',
]);

export function classifyItem(action: WriteAction, status: number, error: BulkItemError | undefined, revision?: string): WriteOutcome {
  if (status >= 200 && status < 300) return { kind: 'written', ...(revision ? { revision: revision as never } : {}) };
  if (status === 404 && action.operation === 'delete' && (error === undefined || error.type === undefined)) {
    return action.condition.kind === 'unchanged' ? { kind: 'changed' } : { kind: 'written' };
  }
  if (status === 409) {
    if (action.condition.kind === 'absent') return { kind: 'exists' };
    if (action.condition.kind === 'unchanged') return { kind: 'changed' };
    if (action.condition.kind === 'version') return { kind: 'stale', current: storedVersionOf(error) };
  }
  const reason = describeError(status, error);
  const type = error?.type ?? `http_${status}`;
  if (TRANSIENT_ERROR_TYPES.has(type) || /alias/i.test(`${type} ${error?.reason ?? ''}`)) return { kind: 'retry', reason };
  // About the index the write goes to, not the document: any document would be refused alike.
  if (isIndexCreationRefusal(error)) return { kind: 'retry', reason: isShardLimit(error) ? `${reason} ${SHARD_LIMIT_ADVICE}` : reason };
  if (status === 413) return { kind: 'refused', reason, errorType: type, status };
  // Any other 400 is about the document too: retrying it as it is would block the shard forever.
  if (status === 400 || UNINDEXABLE_ERROR_TYPES.has(type)) return { kind: 'unindexable', reason, errorType: type };
  return { kind: 'retry', reason };
}

/** `[id]: version conflict, current version [X] is higher or equal to the one provided [Y]` -> X. */
export function storedVersionOf(error: BulkItemError | undefined): number | undefined {
  const match = /current version \[(\d+)\]/.exec(error?.reason ?? '');
  const version = match ? Number(match[1]) : NaN;
  return Number.isSafeInteger(version) ? version : undefined;
}

export function describeError(status: number, error: BulkItemError | undefined): string {
  if (error === undefined) return `status ${status}`;
  const cause = error.caused_by?.reason ? ` (caused by ${error.caused_by.type}: ${error.caused_by.reason})` : '';
  return `${error.type ?? 'error'}: ${error.reason ?? 'no reason given'}${cause}`;
}
