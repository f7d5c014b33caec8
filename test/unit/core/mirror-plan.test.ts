/**
 * The mirror plan's rules, one at a time, against the states the plan reads (the mirror document
 * and the item's tombstone), and a property: whatever order and batches one item's changes arrive
 * in, planning them ends on the newest.
 */
import fc from 'fast-check';
import type { ChangeOrigin, ChangeRecord, EventName } from '../../../lambda/core/change-record';
import {
  deletesBehindTombstones,
  type MirrorEntry,
  type MirrorIndexes,
  type PlannedWrite,
  newestPerDocument,
  planMirrorWrites,
  stateRefs,
  type StateLookup,
  undoWritesBehindTombstones,
} from '../../../lambda/core/mirror-plan';
import { refKey, type Revision, type StoredState, type WriteAction } from '../../../lambda/core/writes';
import { versionAbove } from '../../../lambda/core/external-version';

const indexes: MirrorIndexes = { mirror: 'items-v1', tombstones: 'items-tombstones' };
const revision = (text: string) => text as Revision;

let nextPosition = 0;

/** A change to one item; its image records the sequence number, so a written document tells which change it shows. */
function change(
  eventName: EventName,
  sequenceNumber: string,
  options: { id?: string; origin?: ChangeOrigin; position?: number; storedBecause?: string } = {},
): MirrorEntry {
  const id = options.id ?? 'item-1';
  const keys = { id: { S: id } };
  const record: ChangeRecord = {
    eventId: `event-${sequenceNumber}-${nextPosition}`,
    eventName,
    sequenceNumber,
    approximateCreationTime: new Date('2024-01-01T00:00:00.000Z'),
    tableName: 'items',
    keys,
    newImage: eventName === 'REMOVE' ? undefined : { ...keys, written_by: { S: sequenceNumber } },
    origin: options.origin ?? 'stream',
  };
  return { position: options.position ?? nextPosition++, record, id, storedBecause: options.storedBecause };
}

/** The version a label of a state stands for: its digits ('d6' -> 6), or 100. */
const versionOfLabel = (label: string) => Number(label.replace(/\D/g, '') || '100');
/** The condition of a write planned from a state read (the label of the state, or none). */
const above = (entry: MirrorEntry, label?: string) => ({
  kind: 'version' as const,
  version: versionAbove(entry.record, label === undefined ? undefined : versionOfLabel(label), undefined),
});

/** What the mirror and the tombstones hold for item-1 (or `id`): [sequence number, revision label (its digits are the version)]. */
function holding(held: { document?: [string | undefined, string]; tombstone?: [string | undefined, string]; id?: string }): StateLookup {
  const id = held.id ?? 'item-1';
  const states = new Map<string, StoredState>();
  if (held.document)
    states.set(refKey({ index: indexes.mirror, id }), {
      sequenceNumber: held.document[0],
      revision: revision(held.document[1]),
      version: versionOfLabel(held.document[1]),
    });
  if (held.tombstone)
    states.set(refKey({ index: indexes.tombstones, id }), {
      sequenceNumber: held.tombstone[0],
      revision: revision(held.tombstone[1]),
      version: versionOfLabel(held.tombstone[1]),
    });
  return states;
}

/** The writes without how each document was placed on the mapping (core/mirror-fields has its own tests). */
const unplaced = <T extends { writes: PlannedWrite[] }>(plan: T) => ({
  ...plan,
  writes: plan.writes.map(({ placed: _placed, ...write }) => write),
});
const withoutPlacement = (writes: PlannedWrite[]) => writes.map(({ placed: _placed, ...write }) => write);
const documentOf = (action: WriteAction | undefined) => (action?.operation === 'put' ? JSON.parse(action.document) : undefined);
const put = (entry: MirrorEntry, condition: WriteAction['condition']) =>
  expect.objectContaining({ operation: 'put', role: 'mirror', index: indexes.mirror, id: entry.id, condition, records: [entry.position] });
const deleteAt = (entry: MirrorEntry, condition: WriteAction['condition']) => ({
  operation: 'delete',
  role: 'mirror',
  index: indexes.mirror,
  id: entry.id,
  condition,
  records: [entry.position],
});

describe('the mirror plan', () => {
  it('reads the state of each document once, in the mirror and in the tombstones', () => {
    const entries = [change('INSERT', '1'), change('MODIFY', '2'), change('INSERT', '3', { id: 'item-2' })];
    expect(stateRefs(entries, indexes)).toEqual([
      { index: indexes.mirror, id: 'item-1' },
      { index: indexes.mirror, id: 'item-2' },
      { index: indexes.tombstones, id: 'item-1' },
      { index: indexes.tombstones, id: 'item-2' },
    ]);
  });

  it('writes only the newest change of each document in a batch; the older ones are superseded', () => {
    const older = change('MODIFY', '9');
    const newest = change('MODIFY', '10'); // more digits: newer, though "10" < "9" as text
    const between = change('MODIFY', '000000000000000000009'); // leading zeros: the same as 9
    const other = change('INSERT', '5', { id: 'item-2' });
    const batch = [older, newest, between, other];

    expect(newestPerDocument(batch)).toEqual([newest, other]);
    const plan = planMirrorWrites(batch, holding({}), indexes);
    expect(plan.writes.map(({ entry }) => entry)).toEqual([newest, other]);
    expect(documentOf(plan.writes[0].mirror)).toMatchObject({ written_by: '10', _cdc: { sequence_number: '10' } });
    expect(plan.superseded.sort()).toEqual([older.position, between.position].sort());
  });

  it.each([
    ['a change older than the mirror document (a late or retried batch)', { document: ['7', 'd7'] }],
    ['a repeat of the change the mirror document shows (a duplicate)', { document: ['6', 'd6'] }],
    ["a change older than the item's tombstone (a deleted item stays deleted)", { tombstone: ['7', 't7'] }],
    ["a change as old as the item's tombstone", { tombstone: ['6', 't6'] }],
  ] as const)('supersedes %s, and writes nothing', (_case, held) => {
    const late = change('MODIFY', '6');
    expect(planMirrorWrites([late], holding(held as never), indexes)).toEqual({ writes: [], superseded: [late.position] });
  });

  it('puts a change newer than both the document and the tombstone, with the bookkeeping of the change', () => {
    const newer = change('MODIFY', '8');
    const plan = planMirrorWrites([newer], holding({ document: ['6', 'd6'], tombstone: ['5', 't5'] }), indexes);
    expect(unplaced(plan)).toEqual({
      writes: [{ entry: newer, mirror: put(newer, above(newer, 'd6')) }],
      superseded: [],
    });
    expect(documentOf(plan.writes[0].mirror)).toEqual({
      id: 'item-1',
      written_by: '8',
      _cdc: { sequence_number: '8', event_id: newer.record.eventId, event_name: 'MODIFY', timestamp: '2024-01-01T00:00:00.000Z' },
    });
  });

  it('puts the stored (unindexed) form of a change OpenSearch refused to index', () => {
    const refused = change('INSERT', '3', { storedBecause: 'mapper_parsing_exception' });
    const [write] = planMirrorWrites([refused], holding({}), indexes).writes;
    expect(documentOf(write.mirror)._cdc).toMatchObject({
      unindexed: { id: 'item-1', written_by: '3' },
      unindexed_reason: 'mapper_parsing_exception',
    });
  });

  it.each([
    ['no document: at the version of its creation time', {}, undefined],
    ['a document: just above the version read (and at least its creation time)', { document: ['1', 'rev-1'] }, 'rev-1'],
  ] as const)('conditions a put on the state read, %s', (_case, held, label) => {
    const entry = change('INSERT', '2');
    expect(planMirrorWrites([entry], holding(held as never), indexes).writes[0].mirror?.condition).toEqual(above(entry, label));
  });

  it('a change from outside the stream goes just above the version read, or at 1 above nothing', () => {
    const manual = change('INSERT', '0', { origin: 'manual' });
    expect(planMirrorWrites([manual], holding({ document: ['0', 'd7'] }), indexes).writes[0].mirror?.condition).toEqual({
      kind: 'version',
      version: 8,
    });
    expect(planMirrorWrites([manual], holding({}), indexes).writes[0].mirror?.condition).toEqual({ kind: 'version', version: 1 });
  });

  it('after a conflict, a put on no document goes above the version the conflict reported (a delete the engine remembers)', () => {
    const entry = { ...change('INSERT', '0', { origin: 'manual' }), conflictVersion: 41 };
    expect(planMirrorWrites([entry], holding({}), indexes).writes[0].mirror?.condition).toEqual({ kind: 'version', version: 42 });
  });

  it('a REMOVE records its tombstone first (its sequence number), then deletes the document above the version read', () => {
    const remove = change('REMOVE', '12');
    const plan = planMirrorWrites([remove], holding({ document: ['11', 'd11'] }), indexes);
    expect(plan.superseded).toEqual([]);
    expect(plan.writes).toEqual([
      {
        entry: remove,
        tombstone: {
          operation: 'put',
          role: 'tombstone',
          index: indexes.tombstones,
          id: 'item-1',
          condition: above(remove),
          document: expect.any(String),
          records: [remove.position],
        },
        mirror: deleteAt(remove, above(remove, 'd11')),
      },
    ]);
    expect(documentOf(plan.writes[0].tombstone)).toEqual({
      _cdc: { sequence_number: '12', event_id: remove.record.eventId, event_name: 'REMOVE', timestamp: '2024-01-01T00:00:00.000Z' },
    });
  });

  it('a REMOVE of an absent document only records the tombstone, replacing an older tombstone above the version read', () => {
    const remove = change('REMOVE', '12');
    const [write] = planMirrorWrites([remove], holding({ tombstone: ['4', 't4'] }), indexes).writes;
    expect(write.mirror).toBeUndefined();
    expect(write.tombstone).toMatchObject({ role: 'tombstone', condition: above(remove, 't4') });
    expect(documentOf(write.tombstone)._cdc.sequence_number).toBe('12');
  });

  it.each([
    ['older than the tombstone', '6'],
    ['older than both', '3'],
  ])('finishes a delete left half done (a document older than its tombstone) when a change %s arrives', (_case, sequenceNumber) => {
    const late = change('MODIFY', sequenceNumber);
    const plan = planMirrorWrites([late], holding({ document: ['5', 'd5'], tombstone: ['7', 't7'] }), indexes);
    expect(plan).toEqual({
      writes: [{ entry: late, mirror: deleteAt(late, { kind: 'version', version: 6 }) }],
      superseded: [late.position],
    });
  });

  it('leaves a document newer than the tombstone alone (the item was created again after its delete)', () => {
    const late = change('MODIFY', '6');
    expect(planMirrorWrites([late], holding({ document: ['9', 'd9'], tombstone: ['7', 't7'] }), indexes)).toEqual({
      writes: [],
      superseded: [late.position],
    });
  });

  describe('records from outside the stream (sequence number 0)', () => {
    it('a manual record replaces what a manual record or a backfill wrote, and of two in one batch the last wins', () => {
      const first = change('INSERT', '0', { origin: 'manual' });
      const last = change('MODIFY', '0', { origin: 'manual' });
      const plan = planMirrorWrites([first, last], holding({ document: ['0', 'd0'] }), indexes);
      expect(withoutPlacement(plan.writes)).toEqual([{ entry: last, mirror: put(last, { kind: 'version', version: 1 }) }]);
      expect(plan.superseded).toEqual([first.position]);
      expect(documentOf(plan.writes[0].mirror)._cdc.manual).toBe(true);
    });

    it('a manual record never replaces a stream change, nor brings back an item a stream REMOVE deleted', () => {
      const manual = change('MODIFY', '0', { origin: 'manual' });
      expect(planMirrorWrites([manual], holding({ document: ['3', 'd3'] }), indexes).writes).toEqual([]);
      expect(planMirrorWrites([manual], holding({ tombstone: ['3', 't3'] }), indexes).writes).toEqual([]);
    });

    it('a backfilled snapshot only fills what is empty: never replaces a document, never resurrects a deleted item', () => {
      const snapshot = change('SNAPSHOT', '0', { origin: 'snapshot' });
      expect(withoutPlacement(planMirrorWrites([snapshot], holding({}), indexes).writes)).toEqual([
        { entry: snapshot, mirror: put(snapshot, { kind: 'version', version: 1 }) },
      ]);
      for (const held of [{ document: ['0', 'd0'] }, { document: ['3', 'd3'] }, { tombstone: ['0', 't0'] }, { tombstone: ['3', 't3'] }])
        expect(planMirrorWrites([snapshot], holding(held as never), indexes)).toEqual({ writes: [], superseded: [snapshot.position] });
    });

    it('a stream change always replaces what a manual record or a backfill wrote', () => {
      const stream = change('MODIFY', '1');
      expect(planMirrorWrites([stream], holding({ document: ['0', 'd0'] }), indexes).writes).toHaveLength(1);
    });

    it('a repair replaces the state it was made for, and nothing newer', () => {
      const repair = change('MODIFY', '5', { origin: 'repair' });
      expect(withoutPlacement(planMirrorWrites([repair], holding({ document: ['5', 'd5'] }), indexes).writes)).toEqual([
        { entry: repair, mirror: put(repair, { kind: 'version', version: 6 }) },
      ]);
      expect(planMirrorWrites([repair], holding({ document: ['4', 'd4'] }), indexes).writes).toHaveLength(1);
      expect(planMirrorWrites([repair], holding({ document: ['6', 'd6'] }), indexes).writes).toEqual([]);
      expect(planMirrorWrites([repair], holding({ tombstone: ['6', 't6'] }), indexes).writes).toEqual([]);
    });

    it('a repair that removes an item deletes the document of the state it was made for', () => {
      const repair = change('REMOVE', '5', { origin: 'repair' });
      const [write] = planMirrorWrites([repair], holding({ document: ['5', 'd5'] }), indexes).writes;
      expect(write.tombstone).toMatchObject({ condition: { kind: 'version', version: 1 } });
      expect(write.mirror).toEqual(deleteAt(repair, { kind: 'version', version: 6 }));
    });
  });

  describe('after writing, each side of a race between an upsert and a REMOVE checks the other', () => {
    const tombstoneOf = (sequenceNumber: string | undefined) => holding({ tombstone: [sequenceNumber, 'tomb'] });

    it('undoWritesBehindTombstones deletes an upsert whose item got a newer tombstone meanwhile, just above the version it wrote', () => {
      const upsert = change('MODIFY', '5');
      expect(undoWritesBehindTombstones([{ entry: upsert, version: 5 }], tombstoneOf('6'), indexes)).toEqual([
        deleteAt(upsert, { kind: 'version', version: 6 }),
      ]);
    });

    it.each([
      ['no tombstone', holding({})],
      ['an older tombstone', tombstoneOf('4')],
      ['the tombstone of this very change', tombstoneOf('5')],
      ['the tombstone of a manual REMOVE', tombstoneOf(undefined)],
    ])('undoWritesBehindTombstones keeps an upsert that finds %s', (_case, tombstones) => {
      expect(undoWritesBehindTombstones([{ entry: change('MODIFY', '5'), version: 5 }], tombstones, indexes)).toEqual([]);
    });

    const SECOND = 1_000_000;
    const T = 1_790_000_000 * SECOND;

    it('undoWritesBehindTombstones keeps a stream change written without a read more than the skew window above a tombstone, whatever its sequence number (a shard split)', () => {
      // The parent shard's REMOVE, the item written again in the child 10 minutes later with a
      // sequence number that does not compare with the parent's.
      const reinserted = change('INSERT', '10');
      const parentTombstone = holding({ tombstone: ['900', `t${T}`] });
      expect(
        undoWritesBehindTombstones([{ entry: reinserted, version: T + 600 * SECOND }], parentTombstone, indexes, { withoutRead: true }),
      ).toEqual([]);
    });

    it.each([
      ['of the same second', T],
      ['a second below it (creation times may run back within the window)', T - SECOND],
      ['of a later second', T + SECOND],
    ])(
      'undoWritesBehindTombstones takes back a stream change written without a read behind a newer tombstone %s',
      (_case, tombstoneVersion) => {
        const replayed = change('INSERT', '10');
        expect(
          undoWritesBehindTombstones([{ entry: replayed, version: T }], holding({ tombstone: ['11', `t${tombstoneVersion}`] }), indexes, {
            withoutRead: true,
          }),
        ).toEqual([deleteAt(replayed, { kind: 'version', version: T + 1 })]);
      },
    );

    it.each([
      ['older than the REMOVE', '4'],
      ['of the same sequence number', '5'],
      ['written by a manual record or a backfill', undefined],
    ])('deletesBehindTombstones deletes a document written meanwhile %s, just above the version read', (_case, sequenceNumber) => {
      const remove = change('REMOVE', '5');
      expect(deletesBehindTombstones([remove], holding({ document: [sequenceNumber, 'd3'] }), indexes)).toEqual([
        deleteAt(remove, { kind: 'version', version: 4 }),
      ]);
    });

    it('deletesBehindTombstones keeps a document newer than the REMOVE, and has nothing to do when there is none', () => {
      const remove = change('REMOVE', '5');
      expect(deletesBehindTombstones([remove], holding({ document: ['6', 'd6'] }), indexes)).toEqual([]);
      expect(deletesBehindTombstones([remove], holding({}), indexes)).toEqual([]);
    });
  });
});

describe("the mirror plan, for any order of one item's changes", () => {
  /** The mirror and the tombstones as a sequential engine keeps them; a write whose condition fails is a defect of the plan. */
  class Store {
    private readonly documents = new Map<string, StoredState & { readonly document: any }>();
    private revisions = 0;

    states(entries: readonly MirrorEntry[]): StateLookup {
      return new Map(
        stateRefs(entries, indexes).flatMap((ref) => {
          const stored = this.documents.get(refKey(ref));
          return stored ? [[refKey(ref), stored] as const] : [];
        }),
      );
    }

    write(action: WriteAction): void {
      const key = refKey(action);
      const stored = this.documents.get(key);
      if (action.condition.kind === 'absent' && stored) throw new Error(`${key}: expected absent, found ${stored.revision}`);
      if (action.condition.kind === 'unchanged' && stored?.revision !== action.condition.revision)
        throw new Error(`${key}: expected revision ${action.condition.revision}, found ${stored?.revision}`);
      const version = action.condition.kind === 'version' ? action.condition.version : undefined;
      if (version !== undefined && stored?.version !== undefined && stored.version >= version)
        throw new Error(`${key}: version ${version} not above the stored ${stored.version}`);
      if (action.operation === 'delete') this.documents.delete(key);
      else {
        const document = JSON.parse(action.document);
        this.documents.set(key, {
          revision: revision(`r${++this.revisions}`),
          sequenceNumber: document._cdc.sequence_number,
          version,
          document,
        });
      }
    }

    get(index: string): (StoredState & { readonly document: any }) | undefined {
      return this.documents.get(refKey({ index, id: 'item-1' }));
    }
  }

  /** Increasing sequence numbers of 1 to 26 digits (so lengths differ), each a random kind of change. */
  const history = fc
    .array(fc.tuple(fc.constantFrom<EventName>('INSERT', 'MODIFY', 'REMOVE'), fc.bigInt({ min: 1n, max: 10n ** 25n })), {
      minLength: 1,
      maxLength: 8,
    })
    .map((steps) => {
      let sequence = 0n;
      return steps.map(([eventName, gap]) => ({ eventName, sequenceNumber: String((sequence += gap)) }));
    });
  /** Every change delivered at least once, some twice (retries), in any order, cut into batches anywhere. */
  const deliveries = history.chain((changes) =>
    fc.record({
      changes: fc.constant(changes),
      order: fc
        .array(fc.nat({ max: changes.length - 1 }), { maxLength: 4 })
        .chain((again) => fc.shuffledSubarray([...changes.keys(), ...again], { minLength: changes.length + again.length })),
      cuts: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
    }),
  );

  it('planning them in any batch split and order ends on the newest', () => {
    fc.assert(
      fc.property(deliveries, ({ changes, order, cuts }) => {
        const store = new Store();
        const batches: (typeof changes)[] = [[]];
        order.forEach((at, step) => {
          batches[batches.length - 1].push(changes[at]);
          if (cuts[step] && step < order.length - 1) batches.push([]);
        });
        for (const batch of batches) {
          const entries = batch.map(({ eventName, sequenceNumber }, position) => change(eventName, sequenceNumber, { position }));
          for (const { tombstone, mirror } of planMirrorWrites(entries, store.states(entries), indexes).writes) {
            if (tombstone) store.write(tombstone);
            if (mirror) store.write(mirror);
          }
        }
        const newest = changes[changes.length - 1];
        if (newest.eventName === 'REMOVE') {
          expect(store.get(indexes.mirror)).toBeUndefined();
          expect(store.get(indexes.tombstones)?.sequenceNumber).toBe(newest.sequenceNumber);
        } else {
          expect(store.get(indexes.mirror)?.document).toMatchObject({ written_by: newest.sequenceNumber });
        }
      }),
      { numRuns: 500 },
    );
  });
});
