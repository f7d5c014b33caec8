/**
 * The function's grants on an Amazon OpenSearch Service domain cover every request it makes: its
 * adapter sets up the indexes, applies a batch (inserts, a modify, removes, a malformed record) and
 * runs the maintenance (a partition and a tombstone past their retention) against the real
 * OpenSearch through a recording proxy, and IAM's rules, as `lib/opensearch-access.ts` writes them,
 * must allow each request's method and path. A call added to the adapter without its grant fails here,
 * not on AWS with a 403.
 */
import { domainPathGrants, ES_HTTP } from '../../lib/opensearch-access';
import { connect, ensureIndexes, OpenSearchPort, runMaintenance } from '../../lambda/adapters/opensearch';
import { applyChanges } from '../../lambda/pipeline/apply-changes';
import { resolveFunctionSettings } from '../../lambda/settings/function-settings';
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

/** IAM's reading of a resource pattern: `*` is any run of characters, `/` included. */
function allows(pattern: string, path: string): boolean {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  ).test(path);
}

it('allows every request the function makes for a batch and its maintenance, and nothing is left out', async () => {
  const prefix = runPrefix('grants');
  const settings = resolveFunctionSettings({
    openSearchEndpoint: proxy.url.replace(/\/$/, ''),
    changeLogIndex: `${prefix}-cdc`,
    mirrorIndex: `${prefix}-table`,
    keySchema: 'id',
    changeLogRetentionDays: 1,
    tombstoneRetentionHours: 25,
  });
  const grants = domainPathGrants(settings.indexes);
  const client = await connect({ endpoint: settings.openSearchEndpoint, requestTimeoutMs: 30_000 });
  try {
    const layout = await ensureIndexes(client, settings);
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
      new OpenSearchPort(client, settings.maxBulkBytes),
    );
    expect(result).toMatchObject({ failures: [], changeLogWritten: 4, deadLettered: [expect.anything()] });
    // (Outside the proxy: the schedule runs long after the writes are searchable.)
    await opensearch.indices.refresh({ index: `${prefix}-*` });
    const maintenance = await runMaintenance(client, settings);
    expect(maintenance.partitions.deleted).toHaveLength(1);
    expect(maintenance.tombstones).toMatchObject({ purged: 1 });

    const requests = proxy.received.map((request) => ({
      method: request.method,
      path: decodeURIComponent(new URL(request.path, 'http://proxy').pathname.slice(1)),
    }));
    expect(requests.length).toBeGreaterThan(10);
    const refused = requests.filter(({ method, path }) => {
      const action = ES_HTTP[method.toLowerCase() as keyof typeof ES_HTTP];
      return !grants.some((grant) => grant.actions.includes(action) && grant.paths.some((pattern) => allows(pattern, path)));
    });
    expect(refused).toEqual([]);
  } finally {
    await client.close();
    await opensearch.indices.delete({ index: `${prefix}-*`, expand_wildcards: 'all' } as never).catch(() => undefined);
  }
});
