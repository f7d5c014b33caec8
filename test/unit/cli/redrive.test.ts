/**
 * `cdc redrive`: the DLQ's pointers and the dead-letter index applied again under the age rule
 * (a record that may meet a purged tombstone never reaches the mirror: its item is put right from
 * the table), each dead letter by its origin, every page of them, one bad letter never stopping
 * the rest.
 */
import type { WriteAction, WriteOutcome } from '../../../lambda/core';
import { applyChanges } from '../../../lambda/pipeline';
import { isOldRecord, redriveCutoff, redriveDeadLetters, redriveQueue } from '../../../cli/redrive';
import { repair, snapshotRecord } from '../../../cli/sync';
import { insertRecord, modifyRecord, removeRecord } from '../../support/stream-records';
import {
  CHANGE_LOG,
  DEAD_LETTER,
  HOUR,
  MIRROR,
  purgeExpiredTombstones,
  redriveWorld,
  SETTINGS,
  TABLE,
  TOMBSTONES,
  type RedriveWorld,
} from '../../support/redrive-world';

const NOW = new Date('2026-11-27T12:00:00.000Z');
/** Epoch seconds, `hours` before NOW. */
const hoursAgo = (hours: number) => Math.floor((NOW.getTime() - hours * HOUR) / 1000);
const seq = (n: number) => String(n).padStart(21, '0');
const item = (id: string, name: string) => ({ id: { S: id }, name: { S: name } });
const refused: WriteOutcome = { kind: 'refused', reason: 'too large', errorType: 'request_entity_too_large', status: 413 };
/** Refuses the mirror writes of one item, as a cluster would until its cause is fixed. */
const refuseMirrorOf = (id: string) => (action: WriteAction) => (action.role === 'mirror' && action.id === id ? refused : undefined);
const QUEUE = 'https://sqs.local/dlq';

const mirrored = (world: RedriveWorld, id: string) => world.search.sources(MIRROR)[id];
const letters = (world: RedriveWorld) => world.search.sources(DEAD_LETTER);

describe('the age rule', () => {
  const cutoff = redriveCutoff(NOW, 25);

  it('counts a record without a creation time as old (backfill snapshots, manual and repair records)', () => {
    expect(isOldRecord(snapshotRecord(item('a', 'x'), SETTINGS.keySchema), cutoff)).toBe(true);
    expect(isOldRecord({ eventName: 'INSERT', dynamodb: { Keys: { id: { S: 'a' } }, NewImage: item('a', 'x') } }, cutoff)).toBe(true);
  });

  it('counts a record within an hour of the purge cutoff as old: the purge may run while re-drive does', () => {
    expect(isOldRecord(insertRecord(item('a', 'x'), { at: hoursAgo(24.5) }), cutoff)).toBe(true);
    expect(isOldRecord(insertRecord(item('a', 'x'), { at: hoursAgo(23.5) }), cutoff)).toBe(false);
  });
});

describe('re-driving a dead letter without a creation time', () => {
  it('does not bring back an item deleted after its snapshot was refused, once the tombstone is purged', async () => {
    const world = redriveWorld({ now: NOW });
    const user = item('user-1', 'as scanned');
    world.table.put(user);
    // The backfill's snapshot is refused by the mirror: a dead letter.
    world.search.fault = refuseMirrorOf('user-1');
    const backfill = { ...SETTINGS, writeChangeLog: false, mayRaceWithDeletes: true };
    expect((await applyChanges([snapshotRecord(user, SETTINGS.keySchema)], backfill, world.search)).deadLettered).toHaveLength(1);
    world.search.fault = () => undefined;
    // Then the item is deleted, 30 h ago, and the maintenance purges its tombstone.
    world.table.items.delete('user-1');
    await applyChanges([removeRecord(user, { sequenceNumber: 5, at: hoursAgo(30) })], SETTINGS, world.search);
    expect(await purgeExpiredTombstones(world.search, NOW, 25)).toMatchObject({ purged: 1 });
    expect(world.search.sources(TOMBSTONES)).toEqual({});

    await redriveDeadLetters(world.deps(), world.report);

    expect(mirrored(world, 'user-1')).toBeUndefined();
    expect(world.report).toMatchObject({ deadLetters: 1, deadLettersCleared: 1, problems: [] });
    expect(Object.values(world.search.sources(CHANGE_LOG)).map((document) => document.event_name)).toEqual(['REMOVE', 'SNAPSHOT']);
  });

  it("puts the item's mirror right from the table when the item is still there", async () => {
    const world = redriveWorld({ now: NOW });
    const manual = { eventName: 'INSERT', dynamodb: { Keys: { id: { S: 'user-2' } }, NewImage: item('user-2', 'by hand') } };
    world.search.fault = refuseMirrorOf('user-2');
    await applyChanges([manual], SETTINGS, world.search);
    world.search.fault = () => undefined;
    world.table.put(item('user-2', 'in the table'));

    await redriveDeadLetters(world.deps(), world.report);

    expect(mirrored(world, 'user-2')).toMatchObject({ name: 'in the table' });
    expect(world.report).toMatchObject({ deadLettersCleared: 1, problems: [] });
  });
});

describe('re-driving a dead letter with a creation time', () => {
  it('measures the age after reading the letters, which can take a while', async () => {
    const world = redriveWorld({ now: NOW });
    world.table.put(item('user-10', 'in the table'));
    world.search.fault = refuseMirrorOf('user-10');
    await applyChanges([insertRecord(item('user-10', 'stale'), { sequenceNumber: 10, at: hoursAgo(23.5) })], SETTINGS, world.search);
    world.search.fault = () => undefined;

    await redriveDeadLetters(world.deps({ readTakes: 2 * HOUR }), world.report);

    expect(mirrored(world, 'user-10')).toMatchObject({ name: 'in the table' });
    expect(world.report).toMatchObject({ deadLettersCleared: 1, problems: [] });
  });
});

describe('re-driving a dead-letter-queue pointer', () => {
  /** An item changed 26 h ago (the change exhausted its retries), then deleted; the maintenance ran at NOW. */
  async function modifiedThenDeleted(world: RedriveWorld) {
    const v1 = item('user-3', 'v1');
    const v2 = item('user-3', 'v2');
    await applyChanges([insertRecord(v1, { sequenceNumber: 1, at: hoursAgo(27) })], SETTINGS, world.search);
    const stale = modifyRecord(v1, v2, { sequenceNumber: 2, at: hoursAgo(26) });
    world.queue.point(seq(2), seq(2));
    await applyChanges([removeRecord(v2, { sequenceNumber: 3, at: hoursAgo(25.5) })], SETTINGS, world.search);
    expect(await purgeExpiredTombstones(world.search, NOW, 25)).toMatchObject({ purged: 1 });
    return stale;
  }

  it('does not bring back an item deleted after a change that exhausted its retries, once the tombstone is purged', async () => {
    const world = redriveWorld({ now: NOW });
    const stale = await modifiedThenDeleted(world);

    await redriveQueue(QUEUE, world.deps({ streamRecords: [stale] }), world.report);

    expect(mirrored(world, 'user-3')).toBeUndefined();
    expect(world.report).toMatchObject({ messages: 1, messagesDeleted: 1, records: 1, problems: [] });
    expect(world.queue.messages.size).toBe(0);
    expect(Object.values(world.search.sources(CHANGE_LOG)).map((document) => document.event_name)).toEqual(['INSERT', 'REMOVE', 'MODIFY']);
  });

  it('measures the age after reading the stream, which can take a while', async () => {
    const world = redriveWorld({ now: NOW });
    world.table.put(item('user-4', 'in the table'));
    // 23.5 h old when re-drive starts, 25.5 h old once the read is done: old.
    const record = insertRecord(item('user-4', 'stale'), { sequenceNumber: 4, at: hoursAgo(23.5) });
    world.queue.point(seq(4), seq(4));

    await redriveQueue(QUEUE, world.deps({ streamRecords: [record], readTakes: 2 * HOUR }), world.report);

    expect(mirrored(world, 'user-4')).toMatchObject({ name: 'in the table' });
    expect(world.log.join('\n')).toMatch(/1 of them older than the tombstones' retention .*: change log only/);
  });

  it('applies a recent record the whole way', async () => {
    const world = redriveWorld({ now: NOW });
    const record = insertRecord(item('user-5', 'recent'), { sequenceNumber: 5, at: hoursAgo(1) });
    world.queue.point(seq(5), seq(5));

    await redriveQueue(QUEUE, world.deps({ streamRecords: [record] }), world.report);

    expect(mirrored(world, 'user-5')).toMatchObject({ name: 'recent' });
    expect(world.report).toMatchObject({ messagesDeleted: 1, problems: [] });
  });
});

describe('re-driving a dead letter of cdc verify --repair', () => {
  it('records the origin in the dead letter and repairs the item again from the table', async () => {
    const world = redriveWorld({ now: NOW });
    await applyChanges([insertRecord(item('user-6', 'drifted'), { sequenceNumber: 6, at: hoursAgo(1) })], SETTINGS, world.search);
    world.table.put(item('user-6', 'in the table'));
    world.search.fault = refuseMirrorOf('user-6');
    const mirror = { items: async () => new Map() } as never;
    const first = await repair([{ id: 'user-6', key: { id: { S: 'user-6' } } }], {
      dynamo: world.table.client(),
      port: world.search,
      mirror,
      tableName: TABLE,
      settings: SETTINGS,
    });
    expect(first.failed).toHaveLength(1);
    expect(Object.values(letters(world))).toMatchObject([{ origin: 'repair', table_name: TABLE }]);
    world.search.fault = () => undefined;
    world.table.put(item('user-6', 'changed since'));

    await redriveDeadLetters(world.deps(), world.report);

    expect(mirrored(world, 'user-6')).toMatchObject({ name: 'changed since' });
    expect(world.report).toMatchObject({ deadLetters: 1, deadLettersCleared: 1, problems: [] });
    expect(letters(world)).toEqual({});
    // A repair is a correction, not a change: the change log holds the stream's INSERT only.
    expect(Object.values(world.search.sources(CHANGE_LOG)).map((document) => document.event_name)).toEqual(['INSERT']);
  });

  it('re-drives a dead letter of unknown origin (written before origins were recorded) by its content', async () => {
    const world = redriveWorld({ now: NOW });
    world.search.fault = refuseMirrorOf('user-7');
    await applyChanges([insertRecord(item('user-7', 'recent'), { sequenceNumber: 7, at: hoursAgo(1) })], SETTINGS, world.search);
    world.search.fault = () => undefined;
    const [id, letter] = Object.entries(letters(world))[0];
    const { origin: _origin, ...written } = letter;
    world.search.put(DEAD_LETTER, id, written);

    await redriveDeadLetters(world.deps(), world.report);

    expect(mirrored(world, 'user-7')).toMatchObject({ name: 'recent' });
    expect(world.report).toMatchObject({ deadLettersCleared: 1, problems: [] });
  });
});

describe('a dead letter that cannot be re-driven', () => {
  it('is reported with its id and what to fix, and the others are re-driven', async () => {
    const world = redriveWorld({ now: NOW });
    world.table.put(item('user-8', 'in the table'));
    // An old and a recent change refused by the mirror, and an old change of another key schema
    // (keys `pk`), refused as the function refuses it.
    const mismatched = insertRecord(
      { pk: { S: 'x' }, name: { S: 'other' } },
      { sequenceNumber: 10, at: hoursAgo(96), keys: { pk: { S: 'x' } } },
    );
    world.search.fault = (action) => (action.role === 'mirror' ? refused : undefined);
    await applyChanges(
      [
        insertRecord(item('user-8', 'old'), { sequenceNumber: 8, at: hoursAgo(96) }),
        insertRecord(item('user-9', 'recent'), { sequenceNumber: 9, at: hoursAgo(1) }),
        mismatched,
      ],
      SETTINGS,
      world.search,
    );
    world.search.fault = () => undefined;
    expect(Object.keys(letters(world))).toHaveLength(3);
    const mismatchedId = Object.keys(letters(world)).find((id) => id.includes(seq(10)))!;

    await redriveDeadLetters(world.deps(), world.report);

    expect(mirrored(world, 'user-8')).toMatchObject({ name: 'in the table' });
    expect(mirrored(world, 'user-9')).toMatchObject({ name: 'recent' });
    expect(world.report.deadLettersCleared).toBe(2);
    expect(world.report.problems).toEqual([
      expect.stringMatching(
        new RegExp(`^dead letter ${mismatchedId}: .*do not match the configured key schema.*check the keySchema setting.*; kept$`),
      ),
    ]);
    expect(Object.keys(letters(world))).toEqual([mismatchedId]);
  });
});

describe('many dead letters', () => {
  it('are all re-driven, a page at a time', async () => {
    const world = redriveWorld({ now: NOW });
    const records = Array.from({ length: 7 }, (_, i) => insertRecord(item(`many-${i}`, 'x'), { sequenceNumber: 20 + i, at: hoursAgo(1) }));
    world.search.fault = (action) => (action.role === 'mirror' ? refused : undefined);
    await applyChanges(records, SETTINGS, world.search);
    world.search.fault = () => undefined;
    expect(Object.keys(letters(world))).toHaveLength(7);
    const deps = world.deps({ pageSize: 3 });

    await redriveDeadLetters(deps, world.report);

    expect(deps.deadLetters.pagesRead).toBe(3);
    expect(world.report).toMatchObject({ deadLetters: 7, deadLettersCleared: 7, problems: [] });
    expect(Object.keys(world.search.sources(MIRROR))).toHaveLength(7);
    expect(letters(world)).toEqual({});
  });
});
