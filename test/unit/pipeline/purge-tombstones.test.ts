import { refKey, type Revision } from '../../../lambda/core/writes';
import { purgeTombstones } from '../../../lambda/pipeline/purge-tombstones';
import { InMemorySearch } from '../../support/in-memory-search';

const indexes = { mirror: 'test-table-v1', tombstones: 'test-table-tombstones' };
const cdc = (sequenceNumber: string) => ({ _cdc: { sequence_number: sequenceNumber, timestamp: '2024-01-01T00:00:00.000Z' } });

/** The tombstone of `id` as the maintenance finds it expired: id, revision and sequence number as read. */
async function expired(search: InMemorySearch, id: string) {
  const state = (await search.readStates([{ index: indexes.tombstones, id }])).get(refKey({ index: indexes.tombstones, id }))!;
  return { id, revision: state.revision as Revision, sequenceNumber: state.sequenceNumber };
}

describe('purging expired tombstones', () => {
  it('deletes a tombstone whose item has no mirror document', async () => {
    const search = new InMemorySearch();
    search.put(indexes.tombstones, 'gone', cdc('100'));
    const counts = await purgeTombstones([await expired(search, 'gone')], indexes, search);
    expect(counts).toEqual({ expired: 1, purged: 1, finishedDeletes: 0, kept: 0, failed: 0, failures: [] });
    expect(search.sources(indexes.tombstones)).toEqual({});
  });

  it('finishes a half-done delete (a mirror document older than the tombstone) before purging', async () => {
    const search = new InMemorySearch();
    search.put(indexes.mirror, 'half', cdc('90'));
    search.put(indexes.tombstones, 'half', cdc('100'));
    const order: string[] = [];
    search.fault = (action) => {
      order.push(`${action.role} ${action.operation}`);
      return undefined;
    };
    const counts = await purgeTombstones([await expired(search, 'half')], indexes, search);
    expect(counts).toEqual({ expired: 1, purged: 1, finishedDeletes: 1, kept: 0, failed: 0, failures: [] });
    expect(order).toEqual(['mirror delete', 'tombstone delete']);
    expect(search.sources(indexes.mirror)).toEqual({});
    expect(search.sources(indexes.tombstones)).toEqual({});
  });

  it('keeps the tombstone when the half-done delete cannot be finished (the document was written meanwhile)', async () => {
    const search = new InMemorySearch();
    search.put(indexes.mirror, 'half', cdc('90'));
    search.put(indexes.tombstones, 'half', cdc('100'));
    search.fault = (action) => (action.role === 'mirror' ? { kind: 'changed' } : undefined);
    const counts = await purgeTombstones([await expired(search, 'half')], indexes, search);
    expect(counts).toEqual({ expired: 1, purged: 0, finishedDeletes: 0, kept: 1, failed: 0, failures: [] });
    expect(Object.keys(search.sources(indexes.tombstones))).toEqual(['half']);
  });

  it('leaves a newer mirror document alone (the item was written again after its delete) and purges the tombstone', async () => {
    const search = new InMemorySearch();
    search.put(indexes.mirror, 'back', cdc('200'));
    search.put(indexes.tombstones, 'back', cdc('100'));
    const counts = await purgeTombstones([await expired(search, 'back')], indexes, search);
    expect(counts).toEqual({ expired: 1, purged: 1, finishedDeletes: 0, kept: 0, failed: 0, failures: [] });
    expect(search.sources(indexes.mirror)).toEqual({ back: cdc('200') });
  });

  it('keeps a tombstone replaced by a newer delete after it was found expired', async () => {
    const search = new InMemorySearch();
    search.put(indexes.tombstones, 'again', cdc('100'));
    const found = await expired(search, 'again');
    search.put(indexes.tombstones, 'again', cdc('300'));
    const counts = await purgeTombstones([found], indexes, search);
    expect(counts).toEqual({ expired: 1, purged: 0, finishedDeletes: 0, kept: 1, failed: 0, failures: [] });
    expect(search.sources(indexes.tombstones)).toEqual({ again: cdc('300') });
  });

  it('counts a tombstone delete that failed as failed, with its reason, apart from tombstones kept on purpose, and purges the rest', async () => {
    const search = new InMemorySearch();
    for (const id of ['a', 'blocked', 'c', 'again']) search.put(indexes.tombstones, id, cdc('100'));
    const found = await Promise.all(['a', 'blocked', 'c', 'again'].map((id) => expired(search, id)));
    search.put(indexes.tombstones, 'again', cdc('300'));
    search.fault = (action) =>
      action.id === 'blocked' ? { kind: 'retry', reason: 'cluster_block_exception: index [test-table-tombstones] blocked' } : undefined;
    const counts = await purgeTombstones(found, indexes, search);
    expect(counts).toEqual({
      expired: 4,
      purged: 2,
      finishedDeletes: 0,
      kept: 1,
      failed: 1,
      failures: [{ index: indexes.tombstones, id: 'blocked', reason: 'cluster_block_exception: index [test-table-tombstones] blocked' }],
    });
    expect(Object.keys(search.sources(indexes.tombstones)).sort()).toEqual(['again', 'blocked']);
  });

  it('counts a half-done delete that failed as failed, and keeps its tombstone', async () => {
    const search = new InMemorySearch();
    search.put(indexes.mirror, 'half', cdc('90'));
    search.put(indexes.tombstones, 'half', cdc('100'));
    search.fault = (action) => (action.role === 'mirror' ? { kind: 'retry', reason: 'status 503' } : undefined);
    const counts = await purgeTombstones([await expired(search, 'half')], indexes, search);
    expect(counts).toEqual({
      expired: 1,
      purged: 0,
      finishedDeletes: 0,
      kept: 0,
      failed: 1,
      failures: [{ index: indexes.mirror, id: 'half', reason: 'status 503' }],
    });
    expect(Object.keys(search.sources(indexes.tombstones))).toEqual(['half']);
    expect(Object.keys(search.sources(indexes.mirror))).toEqual(['half']);
  });

  it('deletes nothing in a dry run, and says what it would do', async () => {
    const search = new InMemorySearch();
    search.put(indexes.mirror, 'half', cdc('90'));
    search.put(indexes.tombstones, 'half', cdc('100'));
    const counts = await purgeTombstones([await expired(search, 'half')], indexes, search, { dryRun: true });
    expect(counts).toMatchObject({ expired: 1, purged: 1, finishedDeletes: 1 });
    expect(Object.keys(search.sources(indexes.mirror))).toEqual(['half']);
    expect(Object.keys(search.sources(indexes.tombstones))).toEqual(['half']);
  });
});
