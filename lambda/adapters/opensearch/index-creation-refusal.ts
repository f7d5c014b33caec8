/**
 * Refusals to create an index, told apart from refusals of a document. A day's change-log partition
 * is created by its first write (or a day ahead by the maintenance); when the cluster refuses to
 * create it, `_bulk` fails every write to it with the creation's error (TransportBulkAction), a
 * 400 whatever the document. Such a write is retried, as for a missing or closed index: storing it
 * unindexed would be refused the same way and dead-letter a whole day while the function reports
 * success.
 *
 * What creating an index can answer (OpenSearch 2.19: MetadataCreateIndexService, ShardLimitValidator):
 * - `validation_exception`: the cluster's shard limit ("this action would add [N] total shards, but
 *   this cluster currently has [X]/[Y] maximum shards open"), or index settings it refuses. In a
 *   bulk item it comes only from creating the index: a request's own validation fails the request.
 * - `invalid_index_name_exception`: the name is refused, or an alias has it;
 * - `invalid_index_template_exception`, `index_creation_exception`: the template, or a node, failed it;
 * - `resource_already_exists_exception`: created by another writer meanwhile;
 * - `illegal_argument_exception` about an unknown or unparsable setting: the template's settings,
 *   refused by this cluster (other `illegal_argument_exception`s are about the document's mapping).
 * Alias errors (`invalid_alias_name_exception`, no write index) are recognised by bulk-outcome.
 */

/** An error object as OpenSearch answers it, in a bulk item or a whole response. */
export interface OpenSearchError {
  readonly type?: string;
  readonly reason?: string;
  readonly caused_by?: { readonly type?: string; readonly reason?: string };
}

const INDEX_CREATION_ERROR_TYPES: ReadonlySet<string> = new Set([
  'validation_exception',
  'invalid_index_name_exception',
  'invalid_index_template_exception',
  'index_creation_exception',
  'resource_already_exists_exception',
]);

const SETTING_REFUSED = /\b(unknown setting|failed to parse value \[[^\]]*\] for setting) \[/i;

const SHARD_LIMIT = /maximum shards open/i;

/** What to do when the cluster is at its shard limit. */
export const SHARD_LIMIT_ADVICE =
  'The cluster is at its shard limit (cluster.max_shards_per_node times the data nodes, counting every open shard): ' +
  'raise cluster.max_shards_per_node (PUT _cluster/settings), lower changeLogRetentionDays (0 keeps every daily partition forever) ' +
  'so the maintenance deletes old partitions, use fewer mirrorShards, or add data nodes.';

/** Whether the error is the cluster refusing to create the target index (whatever the document). */
export function isIndexCreationRefusal(error: OpenSearchError | undefined): boolean {
  if (error === undefined) return false;
  if (INDEX_CREATION_ERROR_TYPES.has(error.type ?? '') || isShardLimit(error)) return true;
  return error.type === 'illegal_argument_exception' && SETTING_REFUSED.test(error.reason ?? '');
}

export function isShardLimit(error: OpenSearchError | undefined): boolean {
  return SHARD_LIMIT.test(`${error?.reason ?? ''} ${error?.caused_by?.reason ?? ''}`);
}
