/**
 * The indexes of routed mirrors on the real OpenSearch: ensureIndexes with the single-table
 * example's mirrors makes each its alias, backing index and tombstones, maps each mirror's
 * declared fields with their types (a range query on a date field finds documents written with
 * ISO 8601 text, as the routing core writes dates, and epoch milliseconds), runs again as a no-op,
 * and leaves the one-mirror layout as it was. Each test has indexes of its own (a run prefix).
 */
import { ensureIndexes, overTransport, pipelineCounts, runMaintenance } from '../../lambda/adapters/opensearch';
import type { MirrorRoute } from '../../lambda/core';
import { mirrorAliases, mirrorIndexNames, type IndexNames, type RoutingSettings } from '../../lambda/settings';
import { namesFor } from '../support/isolated-function';
import { runPrefix, search } from '../support/live-system';

const os = search();
const transport = overTransport(os.transport);
const example: { mirrors: MirrorRoute[]; changeLog: RoutingSettings['changeLog'] } = require('../../examples/single-table.json');

afterAll(async () => {
  await os.close();
});

/** The example's mirrors, renamed under the prefix so runs do not meet. */
function routingFor(prefix: string): RoutingSettings {
  return { mirrors: example.mirrors.map((mirror) => ({ ...mirror, index: `${prefix}-${mirror.index}` })), changeLog: example.changeLog };
}

async function deleteAll(prefix: string): Promise<void> {
  await os.indices.delete({ index: `${prefix}-*`, ignore_unavailable: true, expand_wildcards: 'all' } as never).catch(() => undefined);
  const templates = await os.indices.getIndexTemplate({ name: `cdc-*${prefix}*` } as never).catch(() => undefined);
  for (const { name } of (templates?.body as { index_templates?: { name: string }[] } | undefined)?.index_templates ?? []) {
    await os.indices.deleteIndexTemplate({ name }).catch(() => undefined);
  }
}

/** Every index and alias under the prefix: index name → its aliases. */
async function layoutOf(prefix: string): Promise<Record<string, string[]>> {
  const response = await os.indices.getAlias({ index: `${prefix}-*` } as never);
  return Object.fromEntries(
    Object.entries(response.body as Record<string, { aliases: Record<string, unknown> }>).map(([index, { aliases }]) => [
      index,
      Object.keys(aliases).sort(),
    ]),
  );
}

async function mappingOf(index: string): Promise<Record<string, any>> {
  const response = await os.indices.getMapping({ index });
  return (Object.values(response.body)[0] as { mappings: { properties: Record<string, any> } }).mappings.properties;
}

describe('the indexes of routed mirrors', () => {
  it("makes each mirror's alias, backing index and tombstones, beside the change log and the dead letters", async () => {
    const prefix = runPrefix('routed');
    const names = namesFor(prefix);
    try {
      await ensureIndexes(transport, { indexes: names, routing: routingFor(prefix) });
      const expected: Record<string, string[]> = { [names.changeLog]: [], [names.deadLetter]: [] };
      for (const mirror of example.mirrors.map((route) => route.index)) {
        const { alias, backing, tombstones } = mirrorIndexNames(`${prefix}-${mirror}`);
        Object.assign(expected, { [backing]: [alias], [tombstones]: [] });
      }
      expect(await layoutOf(prefix)).toEqual(expected);
    } finally {
      await deleteAll(prefix);
    }
  });

  it('maps the declared fields of each mirror with their types, beside the dynamic mapping', async () => {
    const prefix = runPrefix('routed-fields');
    const names = namesFor(prefix);
    try {
      await ensureIndexes(transport, { indexes: names, routing: routingFor(prefix) });
      const users = await mappingOf(`${prefix}-users`);
      expect(users.createdAt).toMatchObject({ type: 'date' });
      expect(users.email).toMatchObject({ type: 'keyword' });
      expect(users._cdc.properties.sequence_number).toEqual({ type: 'keyword' });
      const orders = await mappingOf(`${prefix}-orders`);
      expect(orders.placedAt).toMatchObject({ type: 'date' });
      expect(orders.total).toEqual({ type: 'double' });
      const items = await mappingOf(`${prefix}-order-items`);
      expect(items.quantity).toEqual({ type: 'long' });
      expect(items.price).toEqual({ type: 'double' });
      expect(items.createdAt).toBeUndefined();
    } finally {
      await deleteAll(prefix);
    }
  });

  it('takes on a date field what the routing core writes (ISO 8601 text up to nanoseconds) and epoch milliseconds, and range queries find them', async () => {
    const prefix = runPrefix('routed-dates');
    const names = namesFor(prefix);
    const users = `${prefix}-users`;
    try {
      await ensureIndexes(transport, { indexes: names, routing: routingFor(prefix) });
      const documents: Record<string, unknown> = {
        early: '2024-01-31T12:00:00.000Z',
        nanos: '2024-03-01T08:30:15.123456789Z',
        millis: Date.parse('2024-06-15T00:00:00Z'),
        late: '2025-02-01T00:00:00.000Z',
      };
      for (const [id, createdAt] of Object.entries(documents)) {
        const response = await os.index({ index: users, id, body: { pk: `USER#${id}`, createdAt, email: `${id}@example.com` } });
        expect(response.body.result).toBe('created');
      }
      await os.indices.refresh({ index: users });
      const inRange = await os.search({
        index: users,
        body: { query: { range: { createdAt: { gte: '2024-02-01T00:00:00Z', lt: '2025-01-01T00:00:00Z' } } }, sort: ['createdAt'] },
      });
      expect(inRange.body.hits.hits.map((hit) => hit._id)).toEqual(['nanos', 'millis']);
      const ignored = await os.count({ index: users, body: { query: { exists: { field: '_ignored' } } } });
      expect(ignored.body.count).toBe(0);
      const byEmail = await os.search({ index: users, body: { query: { term: { email: 'late@example.com' } } } });
      expect(byEmail.body.hits.hits.map((hit) => hit._id)).toEqual(['late']);
    } finally {
      await deleteAll(prefix);
    }
  });

  it('changes nothing when run again: the same indexes, mappings and documents', async () => {
    const prefix = runPrefix('routed-twice');
    const names = namesFor(prefix);
    const setup = { indexes: names, routing: routingFor(prefix) };
    try {
      await ensureIndexes(transport, setup);
      await os.index({ index: `${prefix}-orders`, id: 'o1', body: { pk: 'ORDER#1', total: 12.5 }, refresh: true });
      const before = { layout: await layoutOf(prefix), mappings: await os.indices.getMapping({ index: `${prefix}-*` }) };
      await expect(ensureIndexes(transport, setup)).resolves.toEqual({ partitioning: 'none' });
      expect(await layoutOf(prefix)).toEqual(before.layout);
      expect((await os.indices.getMapping({ index: `${prefix}-*` })).body).toEqual(before.mappings.body);
      expect((await os.count({ index: `${prefix}-orders` })).body.count).toBe(1);
    } finally {
      await deleteAll(prefix);
    }
  });

  it('purges the tombstones of every mirror in the maintenance', async () => {
    const prefix = runPrefix('routed-purge');
    const names = namesFor(prefix);
    const routing = routingFor(prefix);
    try {
      await ensureIndexes(transport, { indexes: names, routing });
      const old = { _cdc: { sequence_number: '100', timestamp: '2020-01-01T00:00:00.000Z' } };
      for (const mirror of routing.mirrors!) {
        await os.index({ index: mirrorIndexNames(mirror.index).tombstones, id: 'gone', body: old, refresh: true });
      }
      const report = await runMaintenance(transport, {
        indexes: names,
        routing,
        changeLogPartitioning: 'none',
        changeLogRetentionDays: 0,
        tombstoneRetentionHours: 24,
        maxBulkBytes: 1024 * 1024,
      });
      const mirrors = routing.mirrors!.length;
      expect(report.tombstones).toMatchObject({ expired: mirrors, purged: mirrors, failed: 0 });
      for (const mirror of routing.mirrors!) {
        await os.indices.refresh({ index: mirrorIndexNames(mirror.index).tombstones });
        expect((await os.count({ index: mirrorIndexNames(mirror.index).tombstones })).body.count).toBe(0);
      }
    } finally {
      await deleteAll(prefix);
    }
  });

  it("counts each mirror's items for cdc status, and all of them together", async () => {
    const prefix = runPrefix('routed-counts');
    const names = namesFor(prefix);
    const routing = routingFor(prefix);
    try {
      await ensureIndexes(transport, { indexes: names, routing });
      await os.index({ index: `${prefix}-users`, id: 'u1', body: { pk: 'USER#1' } });
      await os.index({ index: `${prefix}-orders`, id: 'o1', body: { pk: 'ORDER#1' } });
      await os.index({ index: `${prefix}-orders`, id: 'o2', body: { pk: 'ORDER#2', _cdc: { unindexed_reason: 'why' } } });
      const counts = await pipelineCounts(transport, names, new Date(0), mirrorAliases({ indexes: names, routing }));
      expect(counts.mirrors).toEqual([
        { index: `${prefix}-users`, items: 1, tombstones: 0, unindexed: 0, ignored: 0 },
        { index: `${prefix}-staff`, items: 0, tombstones: 0, unindexed: 0, ignored: 0 },
        { index: `${prefix}-orders`, items: 2, tombstones: 0, unindexed: 1, ignored: 0 },
        { index: `${prefix}-order-items`, items: 0, tombstones: 0, unindexed: 0, ignored: 0 },
      ]);
      expect(counts).toMatchObject({ mirrorItems: 3, mirrorItemsUnindexed: 1, mirrorItemsIgnored: 0 });
    } finally {
      await deleteAll(prefix);
    }
  });

  it('keeps the one-mirror layout without routed mirrors: mirrorIndex, its backing index and tombstones', async () => {
    const prefix = runPrefix('one-mirror');
    const names: IndexNames = namesFor(prefix);
    try {
      await ensureIndexes(transport, { indexes: names, routing: { changeLog: { exclude: ['ssn'] } } });
      expect(await layoutOf(prefix)).toEqual({
        [names.changeLog]: [],
        [`${names.mirror}-v1`]: [names.mirror],
        [`${names.mirror}-tombstones`]: [],
        [names.deadLetter]: [],
      });
      const properties = await mappingOf(names.mirror);
      expect(Object.keys(properties)).toEqual(['_cdc']);
      const template = await os.indices.getIndexTemplate({ name: `cdc-mirror-${names.mirror}` });
      expect(
        (template.body.index_templates[0].index_template.template as { mappings: { dynamic_templates: unknown[] } }).mappings
          .dynamic_templates,
      ).toHaveLength(2);
    } finally {
      await deleteAll(prefix);
    }
  });
});
