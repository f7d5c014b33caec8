/**
 * The operators' OpenSearch role on a new domain: every request the CLI's commands send is allowed
 * on the pipeline's indexes, judged the way the security plugin judges it (`_bulk`, `_mget`,
 * scrolls, alias reads and index templates at cluster level, then each index the request touches),
 * and nothing outside those indexes is.
 */
import fc from 'fast-check';
import { operatorBackendRoles, operatorRole, type SecurityRole } from '../../../lambda/adapters/opensearch/operator-role';
import { indexPatterns, type IndexNames } from '../../../lambda/settings';

const NAMES: IndexNames = { changeLog: 'dynamodb-cdc', mirror: 'test-table', deadLetter: 'dynamodb-cdc-deadletter' };

/** The security plugin's static action groups the role uses (static_action_groups.yml). */
const ACTION_GROUPS: Record<string, string[]> = {
  crud: ['read', 'write'],
  read: ['indices:data/read*', 'indices:admin/mappings/fields/get*', 'indices:admin/resolve/index'],
  write: ['indices:data/write*', 'indices:admin/mapping/put'],
};

function expand(actions: readonly string[]): string[] {
  return actions.flatMap((action) => (ACTION_GROUPS[action] ? expand(ACTION_GROUPS[action]) : [action]));
}

/** `*` any text, `?` one character, as the plugin's WildcardMatcher. */
function matches(pattern: string, value: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(value);
}

function allowsCluster(role: SecurityRole, action: string): boolean {
  return expand(role.cluster_permissions).some((pattern) => matches(pattern, action));
}

function allowsIndex(role: SecurityRole, action: string, index: string): boolean {
  return role.index_permissions.some(
    (permission) =>
      permission.index_patterns.some((pattern) => matches(pattern, index)) &&
      expand(permission.allowed_actions).some((pattern) => matches(pattern, action)),
  );
}

/** What the CLI sends (cli/commands through the adapter), as the security plugin sees each request. */
const partition = 'dynamodb-cdc-2026.12.03';
const CLI_REQUESTS: { request: string; cluster?: string; index?: { action: string; on: string[] } }[] = [
  // verify (--repair), backfill, redrive: the mirror's documents and mapping
  { request: 'POST _mget', cluster: 'indices:data/read/mget', index: { action: 'indices:data/read/mget[shard]', on: ['test-table-v1'] } },
  {
    request: 'POST _bulk (index, create, delete)',
    cluster: 'indices:data/write/bulk',
    index: { action: 'indices:data/write/bulk[s]', on: ['test-table-v1', 'test-table-tombstones', partition, 'dynamodb-cdc-deadletter'] },
  },
  { request: 'bulk item: index', index: { action: 'indices:data/write/index', on: ['test-table-v1', partition] } },
  {
    request: 'bulk item: delete',
    index: { action: 'indices:data/write/delete', on: ['test-table-tombstones', 'dynamodb-cdc-deadletter'] },
  },
  { request: 'GET test-table (mapping)', index: { action: 'indices:admin/get', on: ['test-table-v1'] } },
  { request: 'POST test-table/_search?scroll', index: { action: 'indices:data/read/search', on: ['test-table-v1'] } },
  { request: 'POST _search/scroll', cluster: 'indices:data/read/scroll' },
  { request: 'DELETE _search/scroll', cluster: 'indices:data/read/scroll/clear' },
  { request: 'POST test-table/_refresh', index: { action: 'indices:admin/refresh', on: ['test-table-v1'] } },
  { request: 'refresh on the shards', index: { action: 'indices:admin/refresh[s]', on: ['test-table-v1'] } },
  // backfill, redrive: the index setup, as the function does it
  { request: 'HEAD dynamodb-cdc', index: { action: 'indices:admin/get', on: ['dynamodb-cdc', partition] } },
  {
    request: 'HEAD _alias/dynamodb-cdc',
    cluster: 'indices:admin/aliases/get',
    index: { action: 'indices:admin/aliases/get', on: [partition] },
  },
  { request: 'PUT _index_template/cdc-mirror-test-table', cluster: 'indices:admin/index_template/put' },
  {
    request: 'PUT <index>',
    index: { action: 'indices:admin/create', on: ['test-table-v1', 'test-table-tombstones', partition, 'dynamodb-cdc-deadletter'] },
  },
  { request: 'GET test-table/_settings/index.uuid', index: { action: 'indices:monitor/settings/get', on: ['test-table-v1'] } },
  // status, history, tail
  {
    request: 'POST <index>/_count',
    index: { action: 'indices:data/read/search', on: ['test-table-v1', partition, 'dynamodb-cdc-deadletter'] },
  },
  // prune
  { request: 'GET _cat/indices/dynamodb-cdc-*: state', cluster: 'cluster:monitor/state' },
  { request: 'GET _cat/indices/dynamodb-cdc-*: health', cluster: 'cluster:monitor/health' },
  {
    request: 'GET _cat/indices/dynamodb-cdc-*: stats',
    index: { action: 'indices:monitor/stats', on: [partition, 'dynamodb-cdc-deadletter'] },
  },
  { request: 'DELETE dynamodb-cdc-2026.11.01', index: { action: 'indices:admin/delete', on: ['dynamodb-cdc-2026.11.01'] } },
];

describe("the operators' OpenSearch role", () => {
  const role = operatorRole(NAMES);

  it.each(CLI_REQUESTS)('allows $request', ({ cluster, index }) => {
    if (cluster) expect({ cluster, allowed: allowsCluster(role, cluster) }).toEqual({ cluster, allowed: true });
    for (const on of index?.on ?? [])
      expect({ action: index!.action, on, allowed: allowsIndex(role, index!.action, on) }).toMatchObject({ allowed: true });
  });

  it('names the pipeline index patterns only, and lets prune delete change-log partitions and no other index', () => {
    expect(role.index_permissions.flatMap((permission) => permission.index_patterns)).toEqual([
      ...indexPatterns(NAMES),
      'dynamodb-cdc-*.*.*',
    ]);
    for (const kept of ['test-table', 'test-table-v1', 'test-table-tombstones', 'dynamodb-cdc-deadletter', 'dynamodb-cdc']) {
      expect({ kept, deletable: allowsIndex(role, 'indices:admin/delete', kept) }).toEqual({ kept, deletable: false });
    }
  });

  it.each([
    ['documents of another index', 'indices:data/read/search', 'orders'],
    ['writes to another index', 'indices:data/write/index', 'orders'],
    ['another index made', 'indices:admin/create', 'orders'],
    ['the mirror deleted', 'indices:admin/delete', 'test-table-v1'],
    ['settings changed', 'indices:admin/settings/update', 'test-table-v1'],
    ['the security index', 'indices:data/read/search', '.opendistro_security'],
  ])('refuses %s', (_case, action, index) => {
    expect(allowsIndex(role, action, index)).toBe(false);
  });

  it.each([
    'cluster:admin/opendistro_security/*',
    'cluster:admin/settings/update',
    'cluster:admin/snapshot/create',
    'indices:data/write/reindex',
  ])('grants no cluster-wide action beyond the CLI requests: %s', (action) => {
    expect(allowsCluster(role, action)).toBe(false);
  });

  it("covers each routed mirror's alias, backing index and tombstones, and not mirrorIndex unless listed", () => {
    const routed = operatorRole(NAMES, ['users', 'orders']);
    for (const index of ['users', 'users-v1', 'users-tombstones', 'orders', 'orders-v1', 'orders-tombstones']) {
      expect({ index, writable: allowsIndex(routed, 'indices:data/write/index', index) }).toEqual({ index, writable: true });
    }
    expect(allowsIndex(routed, 'indices:data/write/index', 'test-table-v1')).toBe(false);
    expect(routed.description).toContain('users, orders');
  });

  it('follows the index names of any pipeline', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
    fc.assert(
      fc.property(name, name, (changeLog, mirror) => {
        const names = { changeLog, mirror, deadLetter: `${changeLog}-deadletter` };
        const patterns = operatorRole(names).index_permissions[0].index_patterns;
        expect(patterns).toEqual(indexPatterns(names));
        expect(allowsIndex(operatorRole(names), 'indices:data/write/index', `${mirror}-v1`)).toBe(true);
      }),
    );
  });
});

describe('the backend roles mapped to it', () => {
  it('are the role ARNs as given, and a role with a path also without it (a signed request names the role by its name)', () => {
    expect(
      operatorBackendRoles([
        'arn:aws:iam::123456789012:role/ops',
        'arn:aws:iam::123456789012:role/team/on-call/audit',
        'arn:aws:iam::123456789012:role/ops',
      ]),
    ).toEqual([
      'arn:aws:iam::123456789012:role/ops',
      'arn:aws:iam::123456789012:role/team/on-call/audit',
      'arn:aws:iam::123456789012:role/audit',
    ]);
  });
});
