/**
 * The ordering rule of `cdc verify --repair`: a repair carries the sequence number of the state it
 * corrects, replaces exactly that state, and loses to anything newer, before or after it.
 */
import { applyChanges, type PipelineSettings } from '../../../lambda/pipeline/apply-changes';
import { InMemorySearch } from '../../support/in-memory-search';
import { insertRecord, modifyRecord, removeRecord } from '../../support/stream-records';

const settings: PipelineSettings = {
  indexes: { changeLog: 'dynamodb-cdc', mirror: 'test-table', deadLetter: 'dynamodb-cdc-deadletter' },
  keySchema: { partitionKey: 'id' },
  changeLogPartitioning: 'none',
};
const repairs: PipelineSettings = { ...settings, recordOrigin: 'repair', writeChangeLog: false };
const MIRROR = 'test-table-v1';
const TOMBSTONES = 'test-table-tombstones';

const item = (name: string) => ({ id: { S: 'user-001' }, name: { S: name } });
const seq = (n: number) => String(n).padStart(21, '0');
const repairOf = (name: string | undefined, sequenceNumber: string | undefined) =>
  name === undefined
    ? { eventName: 'REMOVE', dynamodb: { Keys: { id: { S: 'user-001' } }, SequenceNumber: sequenceNumber } }
    : { eventName: 'MODIFY', dynamodb: { Keys: { id: { S: 'user-001' } }, NewImage: item(name), SequenceNumber: sequenceNumber } };
const mirrored = (search: InMemorySearch) => search.sources(MIRROR)['user-001'];

describe('a repair', () => {
  it('replaces the state it was made for, keeping its sequence number, and writes no change-log document', async () => {
    const search = new InMemorySearch();
    await applyChanges([insertRecord(item('right'), { sequenceNumber: 3 })], settings, search);
    const changeLog = Object.keys(search.sources('dynamodb-cdc')).length;
    search.sources(MIRROR)['user-001'].name = 'tampered';
    const result = await applyChanges([repairOf('right', seq(3))], repairs, search);
    expect(result).toMatchObject({ mirrorWritten: 1, failures: [], deadLettered: [] });
    expect(mirrored(search)).toMatchObject({ name: 'right', _cdc: { sequence_number: seq(3) } });
    expect(Object.keys(search.sources('dynamodb-cdc'))).toHaveLength(changeLog);
  });

  it('loses to a change the stream applied after the mirror was read', async () => {
    const search = new InMemorySearch();
    await applyChanges(
      [insertRecord(item('old'), { sequenceNumber: 3 }), modifyRecord(item('old'), item('newer'), { sequenceNumber: 4 })],
      settings,
      search,
    );
    const result = await applyChanges([repairOf('read before', seq(3))], repairs, search);
    expect(result).toMatchObject({ mirrorWritten: 0, mirrorSuperseded: 1 });
    expect(mirrored(search)).toMatchObject({ name: 'newer' });
  });

  it('is replaced by a change committed after the item was read, and never by an older one', async () => {
    const search = new InMemorySearch();
    await applyChanges([insertRecord(item('v3'), { sequenceNumber: 3 })], settings, search);
    await applyChanges([repairOf('v3 read again', seq(3))], repairs, search);
    await applyChanges([insertRecord(item('v2'), { sequenceNumber: 2 })], settings, search);
    expect(mirrored(search)).toMatchObject({ name: 'v3 read again' });
    await applyChanges([modifyRecord(item('v3'), item('v4'), { sequenceNumber: 4 })], settings, search);
    expect(mirrored(search)).toMatchObject({ name: 'v4' });
  });

  it("puts back a missing item at its tombstone's sequence number: an older write still cannot, a newer one still can", async () => {
    const search = new InMemorySearch();
    await applyChanges(
      [insertRecord(item('v1'), { sequenceNumber: 1 }), removeRecord(item('v1'), { sequenceNumber: 2 })],
      settings,
      search,
    );
    // The item came back in the table (seq 3), and its document was lost.
    const result = await applyChanges([repairOf('v3', seq(2))], repairs, search);
    expect(result).toMatchObject({ mirrorWritten: 1 });
    expect(mirrored(search)).toMatchObject({ name: 'v3', _cdc: { sequence_number: seq(2) } });
    await applyChanges([insertRecord(item('v1'), { sequenceNumber: 1 })], settings, search);
    expect(mirrored(search)).toMatchObject({ name: 'v3' });
    await applyChanges([insertRecord(item('v3'), { sequenceNumber: 3 })], settings, search);
    expect(mirrored(search)).toMatchObject({ name: 'v3', _cdc: { sequence_number: seq(3) } });
  });

  it("removes an item gone from the table behind a tombstone at the document's sequence number", async () => {
    const search = new InMemorySearch();
    await applyChanges([insertRecord(item('v5'), { sequenceNumber: 5 })], settings, search);
    const result = await applyChanges([repairOf(undefined, seq(5))], repairs, search);
    expect(result).toMatchObject({ mirrorDeleted: 1 });
    expect(mirrored(search)).toBeUndefined();
    expect(search.sources(TOMBSTONES)['user-001']._cdc).toMatchObject({ sequence_number: seq(5) });
    await applyChanges([insertRecord(item('v4'), { sequenceNumber: 4 })], settings, search);
    expect(mirrored(search)).toBeUndefined();
    await applyChanges([insertRecord(item('v6'), { sequenceNumber: 6 })], settings, search);
    expect(mirrored(search)).toMatchObject({ name: 'v6' });
  });

  it('fills an empty place like a backfill when the mirror never held the item, and any stream change wins over it', async () => {
    const search = new InMemorySearch();
    await applyChanges([repairOf('scanned', undefined)], repairs, search);
    expect(mirrored(search)).toMatchObject({ name: 'scanned', _cdc: { sequence_number: '0' } });
    await applyChanges([insertRecord(item('streamed'), { sequenceNumber: 1 })], settings, search);
    expect(mirrored(search)).toMatchObject({ name: 'streamed' });
  });

  it('is refused whole when it names no keys, as a dead letter', async () => {
    const search = new InMemorySearch();
    const result = await applyChanges(
      [{ eventName: 'MODIFY', dynamodb: { NewImage: item('x'), SequenceNumber: seq(1) } }],
      repairs,
      search,
    );
    expect(result.deadLettered).toHaveLength(1);
    expect(result.deadLettered[0].reason).toContain('a repair needs Keys');
  });
});

describe('a delete racing with a repair or backfill of the same item', () => {
  const key = { id: { S: 'user-001' } };

  /** The function's REMOVE reads "no document", then waits before recording its tombstone while `meanwhile` runs. */
  async function removeAround(meanwhile: (search: InMemorySearch) => Promise<unknown>): Promise<InMemorySearch> {
    const search = new InMemorySearch();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let tombstoneDue!: () => void;
    const waiting = new Promise<void>((resolve) => (tombstoneDue = resolve));
    const functionPort = {
      readStates: (refs: Parameters<InMemorySearch['readStates']>[0]) => search.readStates(refs),
      mappedFields: (index: string) => search.mappedFields(index),
      fieldsMapped: () => undefined,
      forgetMapping: () => undefined,
      write: async (actions: Parameters<InMemorySearch['write']>[0]) => {
        if (actions.some((action) => action.role === 'tombstone')) {
          tombstoneDue();
          await gate;
        }
        return search.write(actions);
      },
    };
    const removing = applyChanges(
      [removeRecord(item('v1'), { sequenceNumber: 300 })],
      { ...settings, mayRaceWithDeletes: false },
      functionPort,
    );
    await waiting;
    await meanwhile(search);
    release();
    await removing;
    return search;
  }

  it('never leaves the deleted item behind a repair that wrote it just before the tombstone', async () => {
    const search = await removeAround((s) => applyChanges([repairOf('v1', undefined)], repairs, s));
    expect(mirrored(search)).toBeUndefined();
    expect(search.sources(TOMBSTONES)['user-001']._cdc).toMatchObject({ sequence_number: seq(300) });
  });

  it('never leaves the deleted item behind a backfilled snapshot written just before the tombstone', async () => {
    const search = await removeAround((s) =>
      applyChanges([{ eventName: 'SNAPSHOT', dynamodb: { Keys: key, NewImage: item('v1') } }], { ...settings, writeChangeLog: false }, s),
    );
    expect(mirrored(search)).toBeUndefined();
  });

  it('keeps a newer write that landed meanwhile', async () => {
    const search = await removeAround((s) => applyChanges([insertRecord(item('v2'), { sequenceNumber: 301 })], settings, s));
    expect(mirrored(search)).toMatchObject({ name: 'v2' });
  });
});
