/**
 * What the function may do in OpenSearch, as IAM sees it: the HTTP methods and paths under a
 * domain's ARN (Amazon OpenSearch Service), and the index patterns of a data-access policy
 * (OpenSearch Serverless). Derived from the index names, so one pipeline cannot touch another's
 * indexes.
 *
 * On a domain, exactly the requests the function's OpenSearch adapter makes (lambda/adapters/
 * opensearch; test/integration/domain-grants.test.ts records them through a proxy and checks both
 * ways), each method on its own paths:
 * - setup: is the change log an index or an alias (`HEAD <changeLog>`, `HEAD _alias/<changeLog>`),
 *   its index templates (`PUT _index_template/<name>`), then its indexes (`PUT <index>`: the change
 *   log or a day's partition, the mirror's backing index, the tombstones, the dead letters; a PUT of
 *   an index that exists is refused, so this only creates). The mirror's alias comes with its
 *   backing index (the template), never by name;
 * - batches: the mirror's mapping (`GET <mirror>-v1`, its backing index), the stored sequence
 *   numbers (`POST _mget`), every write (`POST _bulk`): documents are never written, nor indexes
 *   changed, by their own paths;
 * - maintenance: the partitions (`GET _cat/indices/<changeLog>-*`, a listing of names), a partition
 *   ahead (`HEAD`, `PUT`), an expired one (`DELETE`: the only index the function deletes), expired
 *   tombstones (`POST <tombstones>/_search` opening a scroll, `POST`/`DELETE _search/scroll` with the
 *   scroll id in the body: `_search/scroll/_all`, every scroll of the cluster, is not granted).
 * - with operator roles (a new domain, whose master user it is): the security plugin's role and
 *   role mapping of the operators (`PUT _plugins/_security/api/roles|rolesmapping/<changeLog>-operator`).
 * Partitions are `<changeLog>-????.??.??` (IAM's `?` is one character), so the default dead-letter
 * index `<changeLog>-deadletter` is not one of them.
 */
import { changeLogPartition } from '../lambda/core';
import {
  everyIndexTemplateName,
  indexPatterns,
  mirrorIndexNames,
  operatorRoleName,
  type IndexNames,
  type MirrorAliases,
} from '../lambda/settings';

/** The pipeline's index patterns, as a serverless collection's data-access policy names them (`-*`: no one-character wildcard there). */
export { indexPatterns };

/** The HTTP methods of Amazon OpenSearch Service, as IAM actions. */
export const ES_HTTP = {
  get: 'es:ESHttpGet',
  head: 'es:ESHttpHead',
  put: 'es:ESHttpPut',
  post: 'es:ESHttpPost',
  delete: 'es:ESHttpDelete',
} as const;

/** One set of paths under the domain ARN with the methods allowed on them. */
export interface DomainPathGrant {
  readonly actions: readonly string[];
  /** Relative to the domain ARN, without the leading slash; `*` and `?` as IAM reads them. */
  readonly paths: readonly string[];
}

/** What the function does on a domain besides its indexes. */
export interface DomainPathOptions {
  /** It maps operator roles (as a new domain's master user): the two security-API paths of their OpenSearch role. @default false */
  readonly mapsOperators?: boolean;
  /** The mirrors' aliases (mirrorAliases of the settings), each granted its three indexes. @default the one mirror `indexes.mirror` */
  readonly mirrors?: MirrorAliases;
}

/** Any day's partition of the change log, as an IAM pattern: each digit of its date one `?`. */
export function changeLogPartitions(changeLog: string): string {
  const any = changeLogPartition(changeLog, new Date(0));
  return changeLog + any.slice(changeLog.length).replace(/\d/g, '?');
}

/** The grants of the function on a domain: each method on the paths it requests with it, no more; the operators' role when it maps them. */
export function domainPathGrants(indexes: IndexNames, options: DomainPathOptions = {}): DomainPathGrant[] {
  const { changeLog, deadLetter } = indexes;
  const mirrors = (options.mirrors ?? [indexes.mirror]).map(mirrorIndexNames);
  const partitions = changeLogPartitions(changeLog);
  const templates = everyIndexTemplateName(indexes, options.mirrors).map((name) => `_index_template/${name}`);
  return [
    { actions: [ES_HTTP.head], paths: [changeLog, `_alias/${changeLog}`, partitions] },
    { actions: [ES_HTTP.get], paths: [...mirrors.map((mirror) => mirror.backing), `_cat/indices/${changeLog}-*`] },
    {
      actions: [ES_HTTP.put],
      paths: unique([...templates, changeLog, partitions, ...mirrors.flatMap((mirror) => [mirror.backing, mirror.tombstones]), deadLetter]),
    },
    {
      actions: [ES_HTTP.post],
      paths: ['_bulk', '_mget', ...mirrors.map((mirror) => `${mirror.tombstones}/_search`), '_search/scroll'],
    },
    { actions: [ES_HTTP.delete], paths: [partitions, '_search/scroll'] },
    ...(options.mapsOperators ? [operatorAccessGrant(indexes)] : []),
  ];
}

/** PUT only: the function replaces the operators' role and its mapping at each container start, and reads neither. */
function operatorAccessGrant(indexes: IndexNames): DomainPathGrant {
  const name = operatorRoleName(indexes);
  return { actions: [ES_HTTP.put], paths: [`_plugins/_security/api/roles/${name}`, `_plugins/_security/api/rolesmapping/${name}`] };
}

/** The permissions of the function in a serverless collection's data-access policy. */
export const SERVERLESS_INDEX_PERMISSIONS = [
  'aoss:CreateIndex',
  'aoss:DescribeIndex',
  'aoss:UpdateIndex',
  'aoss:DeleteIndex',
  'aoss:ReadDocument',
  'aoss:WriteDocument',
] as const;

/** Index templates are collection items in OpenSearch Serverless. */
export const SERVERLESS_TEMPLATE_PERMISSIONS = [
  'aoss:DescribeCollectionItems',
  'aoss:CreateCollectionItems',
  'aoss:UpdateCollectionItems',
] as const;

/**
 * The data-access policy document (OpenSearch Serverless) granting `principal` the function's
 * permissions on its indexes of `collectionName` only.
 */
export function serverlessAccessPolicy(
  collectionName: string,
  indexes: IndexNames,
  principal: string,
  mirrors: MirrorAliases = [indexes.mirror],
): unknown[] {
  return [
    {
      Description: `DynamoDB CDC function: its indexes only (${[indexes.changeLog, ...mirrors, indexes.deadLetter].join(', ')})`,
      Rules: [
        {
          ResourceType: 'index',
          Resource: indexPatterns(indexes, mirrors).map((pattern) => `index/${collectionName}/${pattern}`),
          Permission: [...SERVERLESS_INDEX_PERMISSIONS],
        },
        { ResourceType: 'collection', Resource: [`collection/${collectionName}`], Permission: [...SERVERLESS_TEMPLATE_PERMISSIONS] },
      ],
      Principal: [principal],
    },
  ];
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
