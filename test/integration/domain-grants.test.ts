/**
 * The function's grants on an Amazon OpenSearch Service domain are exactly what it requests: its
 * adapter sets up the indexes, applies a batch (inserts, a modify, removes, a malformed record) and
 * runs the maintenance (a partition and a tombstone past their retention) against the real
 * OpenSearch through a recording proxy, once with daily change-log partitions and once without, and
 * IAM's rules, as `lib/opensearch-access.ts` writes them, must allow each request's method and path
 * (a call added to the adapter without its grant fails here, not on AWS with a 403), every grant must
 * be used by some request (a grant nothing needs fails here), and what the function never does
 * (delete or create the mirror, clear every scroll, delete the dead letters) must be refused.
 */
import { domainPathGrants, ES_HTTP } from '../../lib/opensearch-access';
import { connect, ensureIndexes, OpenSearchPort, runMaintenance } from '../../lambda/adapters/opensearch';
import { applyChanges } from '../../lambda/pipeline/apply-changes';
import { resolveFunctionSettings } from '../../lambda/settings/function-settings';
import type { ChangeLogPartitioning } from '../../lambda/settings';
import { endpoints, runPrefix, search } from '../support/live-system';
import { startTamperingProxy, type RunningServer } from '../support/signature-checking-server';
import { insertRecord, modifyRecord, removeRecord } from '../support/stream-records';

const opensearch = search();
let proxy: RunningServer;

beforeAll(async () => {
  proxy = await startTamperingProxy(endpoints.openSearch, () => undefined);
});

afterAll(async () => {
  await proxy.close();
  await opensearch.close();
});

interface Request {
  readonly method: string;
  /** Without the leading slash and the query string, decoded: as IAM matches it. */
  readonly path: string;
}

/** IAM's reading of a resource pattern: `*` is any run of characters (`/` included), `?` one character. */
function allows(pattern: string, path: string): boolean {
  const expression = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${expression}$`).test(path);
}

/** Each grant as (IAM action, path pattern), the run's prefix written `<prefix>` so runs compare. */
function grantsOf(prefix: string, grants: ReturnType<typeof domainPathGrants>) {
  return grants.flatMap(({ actions, paths }) =>
    actions.flatMap((action) => paths.map((pattern) => ({ action, pattern, key: `${action} ${pattern.split(prefix).join('<prefix>')}` }))),
  );
}

const actionOf = (method: string) => ES_HTTP[method.toLowerCase() as keyof typeof ES_HTTP];

/** What the function does on a fresh set of indexes, through the proxy: its requests and its grants. */
async function functionRun(partitioning: ChangeLogPartitioning) {
  const prefix = runPrefix(`grants-${partitioning}`);
  const settings = resolveFunctionSettings({
    openSearchEndpoint: proxy.url.replace(/\/$/, ''),
    changeLogIndex: `${prefix}-cdc`,
    mirrorIndex: `${prefix}-table`,
    keySchema: 'id',
    changeLogPartitioning: partitioning,
    changeLogRetentionDays: 1,
    tombstoneRetentionHours: 25,
  });
  const firstRequest = proxy.received.length;
  const transport = await connect({ endpoint: settings.openSearchEndpoint, requestTimeoutMs: 30_000 });
  try {
    const layout = await ensureIndexes(transport, settings);
    const now = Math.floor(Date.now() / 1000);
    const item = (id: string, name: string) => ({ id: { S: id }, name: { S: name } });
    const result = await applyChanges(
      [
        insertRecord(item(`${prefix}-old`, 'three days ago'), { at: now - 3 * 86_400, sequenceNumber: 1 }),
        removeRecord(item(`${prefix}-old`, 'three days ago'), { at: now - 3 * 86_400 + 1, sequenceNumber: 2 }),
        insertRecord(item(`${prefix}-a`, 'a'), { at: now, sequenceNumber: 3 }),
        modifyRecord(item(`${prefix}-a`, 'a'), item(`${prefix}-a`, 'b'), { at: now, sequenceNumber: 4 }),
        { eventName: 'INSERT', dynamodb: { Keys: { id: { S: 'x' } }, SequenceNumber: 'not a number' } },
      ],
      { ...settings, changeLogPartitioning: layout.partitioning, mayRaceWithDeletes: false },
      new OpenSearchPort(transport, settings.maxBulkBytes),
    );
    expect(result).toMatchObject({ failures: [], changeLogWritten: 4, deadLettered: [expect.anything()] });
    // (Outside the proxy: the schedule runs long after the writes are searchable.)
    await opensearch.indices.refresh({ index: `${prefix}-*` });
    const maintenance = await runMaintenance(transport, settings);
    expect(maintenance.partitions.deleted).toHaveLength(partitioning === 'daily' ? 1 : 0);
    expect(maintenance.tombstones).toMatchObject({ purged: 1 });
  } finally {
    await transport.close();
    await opensearch.indices.delete({ index: `${prefix}-*`, expand_wildcards: 'all' } as never).catch(() => undefined);
  }
  const requests: Request[] = proxy.received.slice(firstRequest).map((request) => ({
    method: request.method,
    path: decodeURIComponent(new URL(request.path, 'http://proxy').pathname.slice(1)),
  }));
  return { prefix, indexes: settings.indexes, requests, grants: grantsOf(prefix, domainPathGrants(settings.indexes)) };
}

type Run = Awaited<ReturnType<typeof functionRun>>;
const allowed = (run: Run, { method, path }: Request) =>
  run.grants.some((grant) => grant.action === actionOf(method) && allows(grant.pattern, path));

let runs: Run[];
beforeAll(async () => {
  runs = [await functionRun('daily'), await functionRun('none')];
}, 120_000);

it('allows every request the function makes for a batch and its maintenance, with or without partitions', () => {
  for (const run of runs) {
    expect(run.requests.length).toBeGreaterThan(10);
    expect(run.requests.filter((request) => !allowed(run, request))).toEqual([]);
  }
});

it('grants nothing the function does not request: each method on each path is used by a request of one layout or the other', () => {
  const used = new Set(
    runs.flatMap((run) =>
      run.requests.flatMap((request) =>
        run.grants
          .filter((grant) => grant.action === actionOf(request.method) && allows(grant.pattern, request.path))
          .map((grant) => grant.key),
      ),
    ),
  );
  expect(runs[0].grants.map((grant) => grant.key).filter((key) => !used.has(key))).toEqual([]);
});

it('refuses what the function never does: delete or create the mirror by name, clear every scroll, touch the dead letters beyond creating them', () => {
  for (const run of runs) {
    const { changeLog, mirror, deadLetter } = run.indexes;
    const refused: Request[] = [
      { method: 'DELETE', path: mirror },
      { method: 'PUT', path: mirror },
      { method: 'DELETE', path: `${mirror}-v1` },
      { method: 'DELETE', path: `${mirror}-tombstones` },
      { method: 'PUT', path: `${mirror}-v1/_mapping` },
      { method: 'PUT', path: `${mirror}/_doc/x` },
      { method: 'DELETE', path: '_search/scroll/_all' },
      { method: 'GET', path: '_search/scroll/some-scroll-id' },
      { method: 'DELETE', path: changeLog },
      { method: 'DELETE', path: deadLetter },
      { method: 'DELETE', path: `${changeLog}-deadletter` },
      { method: 'HEAD', path: `${changeLog}-deadletter` },
      { method: 'POST', path: `${changeLog}-deadletter/_delete_by_query` },
      { method: 'POST', path: '_aliases' },
    ];
    expect(deadLetter).toBe(`${changeLog}-deadletter`);
    expect(refused.filter((request) => allowed(run, request))).toEqual([]);
  }
});

describe('with routed mirrors', () => {
  /** The index setup and the maintenance of three mirrors (a tombstone past its retention in each), through the proxy. */
  async function routedRun() {
    const prefix = runPrefix('grants-routed');
    const mirrors = ['users', 'orders', 'order-items'].map((name) => ({ index: `${prefix}-${name}`, fields: { at: 'date' as const } }));
    const settings = resolveFunctionSettings({
      openSearchEndpoint: proxy.url.replace(/\/$/, ''),
      changeLogIndex: `${prefix}-cdc`,
      mirrorIndex: `${prefix}-table`,
      keySchema: 'id',
      mirrors,
      tombstoneRetentionHours: 25,
    });
    const firstRequest = proxy.received.length;
    const transport = await connect({ endpoint: settings.openSearchEndpoint, requestTimeoutMs: 30_000 });
    try {
      await ensureIndexes(transport, settings);
      // (Outside the proxy: what earlier batches left.)
      const expired = { _cdc: { sequence_number: '1', timestamp: '2020-01-01T00:00:00.000Z' } };
      for (const { index } of mirrors) await opensearch.index({ index: `${index}-tombstones`, id: 'gone', body: expired, refresh: true });
      const maintenance = await runMaintenance(transport, settings);
      expect(maintenance.tombstones).toMatchObject({ purged: mirrors.length, failed: 0 });
    } finally {
      await transport.close();
      await opensearch.indices.delete({ index: `${prefix}-*`, expand_wildcards: 'all' } as never).catch(() => undefined);
    }
    const requests: Request[] = proxy.received.slice(firstRequest).map((request) => ({
      method: request.method,
      path: decodeURIComponent(new URL(request.path, 'http://proxy').pathname.slice(1)),
    }));
    const aliases = mirrors.map((mirror) => mirror.index);
    return { prefix, aliases, requests, grants: grantsOf(prefix, domainPathGrants(settings.indexes, { mirrors: aliases })) };
  }

  let routed: Awaited<ReturnType<typeof routedRun>>;
  beforeAll(async () => {
    routed = await routedRun();
  }, 120_000);

  it("allows every request of each mirror's setup and tombstone purge, and names no index of mirrorIndex", () => {
    const allowedRouted = ({ method, path }: Request) =>
      routed.grants.some((grant) => grant.action === actionOf(method) && allows(grant.pattern, path));
    expect(routed.requests.length).toBeGreaterThan(10);
    expect(routed.requests.filter((request) => !allowedRouted(request))).toEqual([]);
    for (const alias of routed.aliases) {
      for (const path of [`${alias}-v1`, `${alias}-tombstones`, `_index_template/cdc-mirror-${alias}`, `${alias}-tombstones/_search`]) {
        expect({ path, requested: routed.requests.some((request) => request.path === path) }).toEqual({ path, requested: true });
      }
    }
    expect(routed.grants.filter((grant) => grant.pattern.includes(`${routed.prefix}-table`))).toEqual([]);
  });
});
