/**
 * The function's path: the stream's changes written without a read, at the external version of
 * their creation time; only conflicts that may hide an older stored change are read. An older
 * change never wins: not after a newer one, not after a delete whose version the engine forgot.
 */
import { applyChanges, type PipelineSettings } from '../../../lambda/pipeline/apply-changes';
import type { DocumentRef } from '../../../lambda/core/writes';
import { GC_DELETES_MS, InMemorySearch } from '../../support/in-memory-search';
import { insertRecord, modifyRecord, removeRecord } from '../../support/stream-records';

const settings: PipelineSettings = {
  indexes: { changeLog: 'dynamodb-cdc', mirror: 'test-table', deadLetter: 'dynamodb-cdc-deadletter' },
  keySchema: { partitionKey: 'id' },
  changeLogPartitioning: 'none',
  mayRaceWithDeletes: false,
  writeStreamChangesWithoutRead: true,
};
const MIRROR = 'test-table-v1';
const TOMBSTONES = 'test-table-tombstones';
const T = 1704110400; // epoch seconds

const item = (id: string, name: string) => ({ id: { S: id }, name: { S: name } });

/** The engine, recording every read and write request in order. */
function engine() {
  const search = new InMemorySearch();
  const calls: string[] = [];
  const readStates = search.readStates.bind(search);
  const write = search.write.bind(search);
  search.readStates = async (refs: readonly DocumentRef[]) => {
    calls.push(`read ${[...new Set(refs.map((ref) => ref.index))].join(',')}`);
    return readStates(refs);
  };
  search.write = async (actions) => {
    calls.push('write');
    return write(actions);
  };
  let now = Date.UTC(2026, 0, 1);
  search.clock = () => now;
  return { search, calls, pass: (ms: number) => (now += ms) };
}

const name = (search: InMemorySearch, id: string) => search.sources(MIRROR)[id]?.name;

describe('writing the stream without a read', () => {
  it('sends an in-order batch without reading the mirror: only the tombstones of its upserts are read, beside the write', async () => {
    const { search, calls } = engine();
    const result = await applyChanges(
      [insertRecord(item('a', 'a1'), { sequenceNumber: 1, at: T }), insertRecord(item('b', 'b1'), { sequenceNumber: 2, at: T })],
      settings,
      search,
    );
    expect(result).toMatchObject({ failures: [], mirrorWritten: 2, changeLogWritten: 2, conflictRounds: 0 });
    expect(calls).toEqual(['read test-table-tombstones', 'write']);
    expect(search.storedVersion(MIRROR, 'a')).toBe(T * 1_000_000);
  });

  it('a REMOVE records its tombstone with the batch, then deletes the document, both at its creation time', async () => {
    const { search, calls } = engine();
    await applyChanges([insertRecord(item('a', 'a1'), { sequenceNumber: 1, at: T })], settings, search);
    calls.length = 0;
    await applyChanges([removeRecord(item('a', 'a1'), { sequenceNumber: 2, at: T + 1 })], settings, search);
    expect(calls).toEqual(['write', 'write']);
    expect(search.sources(MIRROR)).toEqual({});
    expect(search.sources(TOMBSTONES).a._cdc.sequence_number).toBe('000000000000000000002');
    expect(search.storedVersion(TOMBSTONES, 'a')).toBe((T + 1) * 1_000_000);
  });

  it('an older change of an earlier second is refused by the engine, and far older needs no read at all', async () => {
    const { search, calls } = engine();
    await applyChanges([modifyRecord(item('a', 'a0'), item('a', 'a5'), { sequenceNumber: 5, at: T })], settings, search);
    calls.length = 0;
    const late = await applyChanges(
      [modifyRecord(item('a', 'a0'), item('a', 'a3'), { sequenceNumber: 3, at: T - 3600 })],
      settings,
      search,
    );
    expect(late).toMatchObject({ failures: [], mirrorWritten: 0, mirrorSuperseded: 1 });
    expect(calls).toEqual(['read test-table-tombstones', 'write']);
    const near = await applyChanges([modifyRecord(item('a', 'a0'), item('a', 'a4'), { sequenceNumber: 4, at: T - 1 })], settings, search);
    expect(near).toMatchObject({ failures: [], mirrorWritten: 0, mirrorSuperseded: 1, conflictRounds: 1 });
    expect(name(search, 'a')).toBe('a5');
  });

  it('changes of one second collide: the exact sequence numbers decide, older ones lose and newer ones win', async () => {
    const { search } = engine();
    await applyChanges([modifyRecord(item('a', 'a0'), item('a', 'a5'), { sequenceNumber: 5, at: T })], settings, search);
    const older = await applyChanges([modifyRecord(item('a', 'a0'), item('a', 'a4'), { sequenceNumber: 4, at: T })], settings, search);
    expect(older).toMatchObject({ failures: [], mirrorWritten: 0, conflictRounds: 1 });
    expect(name(search, 'a')).toBe('a5');
    const newer = await applyChanges([modifyRecord(item('a', 'a5'), item('a', 'a6'), { sequenceNumber: 6, at: T })], settings, search);
    expect(newer).toMatchObject({ failures: [], mirrorWritten: 1, conflictRounds: 1 });
    expect(name(search, 'a')).toBe('a6');
    expect(search.storedVersion(MIRROR, 'a')).toBe(T * 1_000_000 + 1);
    const removed = await applyChanges([removeRecord(item('a', 'a6'), { sequenceNumber: 7, at: T })], settings, search);
    expect(removed).toMatchObject({ failures: [], mirrorDeleted: 1 });
    expect(search.sources(MIRROR)).toEqual({});
  });

  it.each([
    ['after gc_deletes', (world: ReturnType<typeof engine>) => world.pass(GC_DELETES_MS + 1)],
    ['after the index was closed and opened', (world: ReturnType<typeof engine>) => world.search.closeAndOpen(MIRROR)],
  ])(
    'an older change never brings back an item deleted by a newer one, even %s (the tombstone is the lasting guard)',
    async (_case, forget) => {
      const world = engine();
      const { search } = world;
      await applyChanges([insertRecord(item('a', 'a2'), { sequenceNumber: 2, at: T })], settings, search);
      await applyChanges([removeRecord(item('a', 'a2'), { sequenceNumber: 3, at: T + 10 })], settings, search);
      forget(world);
      expect(search.storedVersion(MIRROR, 'a')).toBeUndefined();
      const replayed = await applyChanges(
        [insertRecord(item('a', 'a2'), { sequenceNumber: 2, at: T, eventId: 'again' })],
        settings,
        search,
      );
      expect(replayed.failures).toEqual([]);
      expect(search.sources(MIRROR)).toEqual({});
    },
  );

  it('a change newer than a delete brings the item back, in the same second too', async () => {
    const { search } = engine();
    await applyChanges([removeRecord(item('a', 'a1'), { sequenceNumber: 3, at: T })], settings, search);
    const again = await applyChanges([insertRecord(item('a', 'a4'), { sequenceNumber: 4, at: T })], settings, search);
    expect(again).toMatchObject({ failures: [], mirrorWritten: 1, conflictRounds: 1 });
    expect(name(search, 'a')).toBe('a4');
  });

  it('a REMOVE whose tombstone cannot be written deletes nothing: a delete is never done before it is recorded', async () => {
    const { search } = engine();
    await applyChanges([insertRecord(item('a', 'a1'), { sequenceNumber: 1, at: T })], settings, search);
    search.fault = (action) => (action.index === TOMBSTONES ? { kind: 'retry', reason: 'index read-only' } : undefined);
    const blocked = await applyChanges([removeRecord(item('a', 'a1'), { sequenceNumber: 2, at: T + 1 })], settings, search);
    expect(blocked.failures).toHaveLength(1);
    expect(name(search, 'a')).toBe('a1');
  });

  it('a manual record (no creation time of DynamoDB) is read first, and never replaces a stream change', async () => {
    const { search, calls } = engine();
    await applyChanges([insertRecord(item('a', 'a1'), { sequenceNumber: 1, at: T })], settings, search);
    calls.length = 0;
    const manual = { eventName: 'INSERT', dynamodb: { Keys: { id: { S: 'a' } }, NewImage: item('a', 'by hand') } };
    const result = await applyChanges([manual], settings, search);
    expect(calls[0]).toBe('read test-table-v1,test-table-tombstones');
    expect(result).toMatchObject({ failures: [], mirrorWritten: 0, mirrorSuperseded: 1 });
    expect(name(search, 'a')).toBe('a1');
  });
});

describe('writing backfill snapshots without a read', () => {
  const backfill: PipelineSettings = { ...settings, mayRaceWithDeletes: true, writeSnapshotsWithoutRead: true, writeChangeLog: false };
  const snapshot = (id: string, name: string) => ({
    eventName: 'SNAPSHOT',
    dynamodb: { Keys: { id: { S: id } }, NewImage: item(id, name) },
  });

  it('fills an empty place at version 1, reading only the tombstones, beside the write', async () => {
    const { search, calls } = engine();
    const result = await applyChanges([snapshot('a', 'snap')], backfill, search);
    expect(result).toMatchObject({ failures: [], mirrorWritten: 1, conflictRounds: 0 });
    expect(calls).toEqual(['read test-table-tombstones', 'write']);
    expect(search.storedVersion(MIRROR, 'a')).toBe(1);
  });

  it('never replaces a stored document: its conflict is read, and superseded', async () => {
    const { search, calls } = engine();
    await applyChanges([insertRecord(item('a', 'a1'), { sequenceNumber: 1, at: T })], settings, search);
    calls.length = 0;
    const result = await applyChanges([snapshot('a', 'snap')], backfill, search);
    expect(result).toMatchObject({ failures: [], mirrorWritten: 0, mirrorSuperseded: 1, conflictRounds: 1 });
    expect(name(search, 'a')).toBe('a1');
  });

  it('fills a place emptied by hand (a delete the engine remembers, with no tombstone), as after a _delete_by_query', async () => {
    const { search } = engine();
    await applyChanges([insertRecord(item('a', 'a1'), { sequenceNumber: 1, at: T })], settings, search);
    search.delete(MIRROR, 'a'); // remembered at the stored version for gc_deletes
    expect(search.storedVersion(MIRROR, 'a')).toBe(T * 1_000_000);
    const result = await applyChanges([snapshot('a', 'snap')], backfill, search);
    expect(result).toMatchObject({ failures: [], mirrorWritten: 1 });
    expect(name(search, 'a')).toBe('snap');
  });

  it('is taken back behind a tombstone whose delete the engine has forgotten, and a later stream change still wins', async () => {
    const { search, pass } = engine();
    await applyChanges([insertRecord(item('a', 'a1'), { sequenceNumber: 1, at: T })], settings, search);
    await applyChanges([removeRecord(item('a', 'a1'), { sequenceNumber: 2, at: T + 1 })], settings, search);
    pass(GC_DELETES_MS + 1);
    await applyChanges([snapshot('a', 'stale snapshot')], backfill, search);
    expect(name(search, 'a')).toBeUndefined();
    await applyChanges([insertRecord(item('a', 'a3'), { sequenceNumber: 3, at: T + 2 })], settings, search);
    expect(name(search, 'a')).toBe('a3');
  });
});
