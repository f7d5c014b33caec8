/**
 * What the function may do in OpenSearch, as IAM sees it: the HTTP paths under a domain's ARN
 * (Amazon OpenSearch Service), and the index patterns of a data-access policy (OpenSearch
 * Serverless). Derived from the index names, so one pipeline cannot touch another's indexes.
 *
 * The paths are the ones the function's OpenSearch adapter calls (lambda/adapters/opensearch):
 * - on its indexes: create (`PUT /<index>`), `_doc`, `_mget`, `_search`, `_count`, `_refresh`,
 *   `_delete_by_query`, `_alias`, delete of an expired change-log partition;
 * - at the root, where the indexes are named in the body: `_bulk` (every write), `_mget` (the
 *   mirror's sequence numbers), `_aliases` (the change-log alias over daily partitions);
 * - the maintenance: `_cat/indices/<changeLog>-*` (the partitions), `_alias/<changeLog>` (is
 *   the change log partitioned?), and `_search/scroll` (expired tombstones: scroll ids are opaque,
 *   IAM cannot tell one index's from another's; a scroll only pages a search the paths above allow);
 * - its own index templates, `_index_template/<name>` (one per index it creates);
 * - with operator roles (a new domain, whose master user it is): the security plugin's role and
 *   role mapping of the operators, `_plugins/_security/api/roles|rolesmapping/<changeLog>-operator`.
 */
import { indexPatterns, indexTemplateNames, operatorRoleName, type IndexNames } from '../lambda/settings';

export { indexPatterns } from '../lambda/settings';

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
  /** Relative to the domain ARN, without the leading slash; `*` as IAM reads it. */
  readonly paths: readonly string[];
}

/** What the function does on a domain besides its indexes. */
export interface DomainPathOptions {
  /** It maps operator roles (as a new domain's master user): the two security-API paths of their OpenSearch role. @default false */
  readonly mapsOperators?: boolean;
}

/** The grants of the function on a domain: its indexes, the root APIs it calls, its templates; the operators' role when it maps them. */
export function domainPathGrants(indexes: IndexNames, options: DomainPathOptions = {}): DomainPathGrant[] {
  const onIndexes = indexPatterns(indexes).flatMap((pattern) => (pattern.endsWith('*') ? [pattern] : [pattern, `${pattern}/*`]));
  return [
    { actions: Object.values(ES_HTTP), paths: onIndexes },
    { actions: [ES_HTTP.post, ES_HTTP.put], paths: ['_bulk'] },
    { actions: [ES_HTTP.get, ES_HTTP.post], paths: ['_mget'] },
    { actions: [ES_HTTP.post], paths: ['_aliases'] },
    { actions: [ES_HTTP.get, ES_HTTP.head], paths: [`_alias/${indexes.changeLog}`, `_cat/indices/${indexes.changeLog}-*`] },
    // The client sends the scroll id in the path (GET, DELETE) or the body (POST).
    { actions: [ES_HTTP.get, ES_HTTP.post, ES_HTTP.delete], paths: ['_search/scroll', '_search/scroll/*'] },
    // The client puts a template with POST.
    {
      actions: [ES_HTTP.get, ES_HTTP.head, ES_HTTP.put, ES_HTTP.post],
      paths: Object.values(indexTemplateNames(indexes)).map((name) => `_index_template/${name}`),
    },
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
export function serverlessAccessPolicy(collectionName: string, indexes: IndexNames, principal: string): unknown[] {
  return [
    {
      Description: `DynamoDB CDC function: its indexes only (${indexes.changeLog}, ${indexes.mirror}, ${indexes.deadLetter})`,
      Rules: [
        {
          ResourceType: 'index',
          Resource: indexPatterns(indexes).map((pattern) => `index/${collectionName}/${pattern}`),
          Permission: [...SERVERLESS_INDEX_PERMISSIONS],
        },
        { ResourceType: 'collection', Resource: [`collection/${collectionName}`], Permission: [...SERVERLESS_TEMPLATE_PERMISSIONS] },
      ],
      Principal: [principal],
    },
  ];
}
