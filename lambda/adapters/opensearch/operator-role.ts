/**
 * The OpenSearch role (fine-grained access control) of a pipeline's operators on a new domain:
 * exactly what the CLI's commands do on the pipeline's indexes, and nothing else of the cluster.
 *
 * The requests of each command (all through this adapter's readers and port):
 * - verify: `_mget` and a scrolled search of the mirror, a refresh; `--repair` also `_bulk` and the
 *   mirror's mapping (`GET <mirror>`);
 * - backfill: the index setup (`HEAD <index>`, `HEAD _alias/<changeLog>`, `PUT _index_template/…`,
 *   `PUT <index>`), the mirror's `index.uuid` (`GET <mirror>/_settings`), `_mget`, `_bulk`, the mapping;
 * - redrive: the index setup, the dead letters (refresh, count, scrolled search, `_bulk` deletes),
 *   `_mget`, `_bulk`, the mapping;
 * - status: refresh, `_count`, an aggregating search; history, tail: refresh, search;
 * - prune: the layout (`HEAD`), `_cat/indices/<changeLog>-*`, `DELETE <partition>`, `PUT <partition>`,
 *   a scrolled search of the tombstones and `_bulk` deletes.
 *
 * The security plugin checks `_bulk`, `_mget`, scrolls and index templates at cluster level, then
 * each index a request touches against the index patterns: so the cluster permissions below open
 * no index by themselves. Index templates have no per-name permission: an operator may put any
 * template, as the function does (the new domain holds this pipeline only).
 */
import { changeLogPartitionPattern } from '../../core';
import { indexPatterns, type IndexNames, type MirrorAliases } from '../../settings';

/** A role of the security plugin, as `PUT _plugins/_security/api/roles/<name>` takes it. */
export interface SecurityRole {
  readonly description: string;
  readonly cluster_permissions: readonly string[];
  readonly index_permissions: readonly { readonly index_patterns: readonly string[]; readonly allowed_actions: readonly string[] }[];
}

/** Cluster-level actions, each with the requests that need it. */
const OPERATOR_CLUSTER_PERMISSIONS = [
  // _bulk: backfill, verify --repair, redrive, prune (tombstones).
  'indices:data/write/bulk',
  // _mget: verify, backfill, redrive.
  'indices:data/read/mget',
  // _search/scroll and clearing it: verify (extras), redrive (dead letters), prune (tombstones).
  'indices:data/read/scroll',
  'indices:data/read/scroll/clear',
  // HEAD _alias/<changeLog>: is the change log partitioned (backfill, redrive, prune).
  'indices:admin/aliases/get',
  // backfill and redrive set the indexes up as the function does: they put its templates.
  'indices:admin/index_template/put',
  // _cat/indices/<changeLog>-*: prune lists the partitions.
  'cluster:monitor/state',
  'cluster:monitor/health',
] as const;

/** Index-level actions on every index of the pipeline. */
const OPERATOR_INDEX_ACTIONS = [
  // Read and write documents: search, count, _mget and _bulk items (index, create, delete).
  'crud',
  // The index setup and partitions made ahead (prune): created by their templates.
  'indices:admin/create',
  // HEAD <index> (exists), GET <mirror> (its mapping).
  'indices:admin/get',
  // HEAD _alias/<changeLog>, resolved to the alias's indexes.
  'indices:admin/aliases/get',
  // Refresh before counting, comparing, reading the change log.
  'indices:admin/refresh*',
  // backfill reads the mirror's index.uuid; _cat/indices reads stats and settings.
  'indices:monitor/settings/get',
  'indices:monitor/stats',
] as const;

/** @param mirrors the mirrors' aliases (mirrorAliases of the settings); by default the one mirror `indexes.mirror` */
export function operatorRole(indexes: IndexNames, mirrors: MirrorAliases = [indexes.mirror]): SecurityRole {
  return {
    description: `Operators of the DynamoDB CDC pipeline ${indexes.changeLog} / ${mirrors.join(', ')} (npx cdc): its indexes only. Put by its function at each container start.`,
    cluster_permissions: [...OPERATOR_CLUSTER_PERMISSIONS],
    index_permissions: [
      { index_patterns: indexPatterns(indexes, mirrors), allowed_actions: [...OPERATOR_INDEX_ACTIONS] },
      // prune deletes expired change-log partitions, and no other index.
      { index_patterns: [changeLogPartitionPattern(indexes.changeLog)], allowed_actions: ['indices:admin/delete'] },
    ],
  };
}

/**
 * The backend roles to map: each role ARN as given and, for a role with a path
 * (`role/team/name`), also without it (`role/name`): a signed request names the role by its name
 * only (`assumed-role/<name>/<session>`). A role's name is unique in its account whatever its
 * path, so both name the same role.
 */
export function operatorBackendRoles(roleArns: readonly string[]): string[] {
  return [...new Set(roleArns.flatMap((arn) => [arn, arn.replace(/:role\/(?:.*\/)?([^/]+)$/, ':role/$1')]))];
}
