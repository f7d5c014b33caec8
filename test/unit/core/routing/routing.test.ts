import fc from 'fast-check';
import { stringifyLossless, toChangeRecord, type AttributeMap, type ChangeRecord } from '../../../../lambda/core';
import {
  compileRouting,
  routeRecord,
  wantedOperations,
  type MirrorRoute,
  type MirrorRouting,
  type Transform,
} from '../../../../lambda/core/routing';
import { item as anyItem } from '../../../support/arbitrary-items';
import { insertRecord, modifyRecord, removeRecord } from '../../../support/stream-records';

const receivedAt = new Date('2024-01-01T00:00:00Z');
const change = (raw: Parameters<typeof toChangeRecord>[0]) => toChangeRecord(raw, { receivedAt, tableName: 'test-table' });
const snapshot = (image: AttributeMap) => change({ eventName: 'SNAPSHOT', dynamodb: { Keys: { id: image.id }, NewImage: image } });
const repair = (image: AttributeMap) =>
  toChangeRecord({ eventName: 'MODIFY', dynamodb: { Keys: { id: image.id }, NewImage: image } }, { receivedAt, origin: 'repair' });

const users: MirrorRoute = { index: 'users', match: { attribute: 'type', equals: 'user' } };
const admins: MirrorRoute = { index: 'admins', match: { attribute: 'type', equals: 'admin' } };
const orders: MirrorRoute = { index: 'orders', match: { attribute: 'id', beginsWith: 'ORDER#' }, operations: ['INSERT', 'MODIFY'] };
const routing = compileRouting([users, admins, orders]);

const user = (type: string, more: AttributeMap = {}): AttributeMap => ({ id: { S: 'USER#1' }, type: { S: type }, ...more });
const order: AttributeMap = { id: { S: 'ORDER#1' }, total: { N: '10' } };

/** Each mirror's action, by index. */
const actions = (record: ChangeRecord, by = routing) =>
  Object.fromEntries(routeRecord(by, record).mirrors.map((routed) => [routed.index, routed.action]));

describe('routing a change to the mirrors', () => {
  it('enters an item in the mirrors whose match its new image meets, and no other', () => {
    expect(actions(change(insertRecord(user('user'))))).toEqual({ users: 'enter', admins: 'none', orders: 'none' });
    expect(actions(change(insertRecord(order)))).toEqual({ users: 'none', admins: 'none', orders: 'enter' });
    expect(actions(change(insertRecord({ id: { S: 'THING#1' } })))).toEqual({ users: 'none', admins: 'none', orders: 'none' });
  });

  it('moves an item whose match changes: it leaves the old mirror and enters the new one, in the same routing', () => {
    expect(actions(change(modifyRecord(user('user'), user('admin'))))).toEqual({ users: 'leave', admins: 'enter', orders: 'none' });
  });

  it('removes an item from the mirror its old image matched; a mirror without REMOVE keeps its document', () => {
    expect(actions(change(removeRecord(user('user'))))).toEqual({ users: 'leave', admins: 'none', orders: 'none' });
    expect(actions(change(removeRecord(order)))).toEqual({ users: 'none', admins: 'none', orders: 'none' });
  });

  it('takes the item out of every mirror it does not belong to when the old image is not known (a repair)', () => {
    expect(actions(repair(user('admin')))).toEqual({ users: 'leave', admins: 'enter', orders: 'leave' });
  });

  it('enters a backfilled item exactly where the stream would, and takes nothing away', () => {
    expect(actions(snapshot(user('user')))).toEqual({ users: 'enter', admins: 'none', orders: 'none' });
  });

  it('shapes the document of each mirror it enters', () => {
    const shaped = compileRouting([{ ...users, exclude: ['secret'], rename: { type: 'kind' }, fields: { since: 'date' } }]);
    const routed = routeRecord(shaped, change(insertRecord(user('user', { secret: { S: 's' }, since: { N: '1700000000' } }))));
    const [mirror] = routed.mirrors as [Extract<MirrorRouting, { action: 'enter' }>];
    expect(stringifyLossless(mirror.document.document)).toBe('{"id":"USER#1","since":"2023-11-14T22:13:20.000Z","kind":"user"}');
  });

  it("applies the change log's rules: excluded paths are gone from the record every index gets, its operations decide what it records", () => {
    const strict = compileRouting([{ index: 'all' }], { exclude: ['secret', 'card.number'], operations: ['INSERT', 'MODIFY'] });
    const image = user('user', { secret: { S: 's' }, card: { M: { number: { S: '4111' }, brand: { S: 'V' } } } });
    const inserted = routeRecord(strict, change(insertRecord(image)));
    expect(inserted.record.newImage).toEqual(user('user', { card: { M: { brand: { S: 'V' } } } }));
    expect(inserted.changeLog).toBe(true);
    expect(stringifyLossless((inserted.mirrors[0] as Extract<MirrorRouting, { action: 'enter' }>).document.document)).not.toContain('4111');
    expect(routeRecord(strict, change(removeRecord(image))).changeLog).toBe(false);
  });

  it('asks the event source only for the operations some index takes', () => {
    expect(wantedOperations([{ index: 'a', operations: ['INSERT'] }], { operations: ['INSERT'] })).toEqual(['INSERT']);
    expect(wantedOperations([{ index: 'a', operations: ['REMOVE'] }], { operations: ['INSERT'] })).toEqual(['INSERT', 'REMOVE']);
    expect(wantedOperations([{ index: 'a' }], { operations: [] })).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
  });
});

describe('a mirror with a transform', () => {
  const withTransform = (transform: Transform) => compileRouting([{ ...users, transform: 'transforms/t.ts#t' }], {}, () => transform);

  it('writes what the transform returns, shaped by the mirror', () => {
    const routed = routeRecord(
      withTransform((item) => ({ ...item, upper: String(item.type).toUpperCase() })),
      change(insertRecord(user('user'))),
    );
    const [mirror] = routed.mirrors as [Extract<MirrorRouting, { action: 'enter' }>];
    expect(stringifyLossless(mirror.document.document)).toBe('{"id":"USER#1","type":"user","upper":"USER"}');
  });

  it('takes null as "not in this index": an insert does nothing, a modify leaves, a remove deletes', () => {
    const none = withTransform(() => null);
    expect(actions(change(insertRecord(user('user'))), none)).toEqual({ users: 'none' });
    expect(actions(change(modifyRecord(user('user'), user('user'))), none)).toEqual({ users: 'leave' });
    expect(actions(change(removeRecord(user('user'))), none)).toEqual({ users: 'leave' });
  });

  it('may keep a removed item, as an archive, by returning a document for the REMOVE', () => {
    const archive = withTransform((item, context) => (context.eventName === 'REMOVE' ? { ...item, deleted: true } : item));
    const [mirror] = routeRecord(archive, change(removeRecord(user('user')))).mirrors as [Extract<MirrorRouting, { action: 'enter' }>];
    expect(mirror.action).toBe('enter');
    expect(stringifyLossless(mirror.document.document)).toBe('{"id":"USER#1","type":"user","deleted":true}');
  });

  it('is never called for an item its mirror does not match', () => {
    const transform = jest.fn<ReturnType<Transform>, Parameters<Transform>>((item) => item);
    routeRecord(withTransform(transform), change(insertRecord(order)));
    routeRecord(withTransform(transform), change(removeRecord(order)));
    expect(transform).not.toHaveBeenCalled();
  });

  it('that throws fails only its own mirror, with the error, for the pipeline to dead-letter', () => {
    const throwing = compileRouting([{ ...users, transform: 'transforms/t.ts#t' }, { index: 'all' }], {}, () => () => {
      throw new Error('no total');
    });
    const [failed, other] = routeRecord(throwing, change(insertRecord(user('user')))).mirrors;
    expect(failed).toMatchObject({ index: 'users', action: 'failed', error: { message: expect.stringMatching(/threw: no total/) } });
    expect(other.action).toBe('enter');
  });

  it('must be given for every mirror that names one', () => {
    expect(() => compileRouting([{ ...users, transform: 'transforms/t.ts#t' }])).toThrow(
      'the transform transforms/t.ts#t of mirror users is not bundled into this function',
    );
  });
});

describe('routing, over any items', () => {
  const type = fc.constantFrom('user', 'admin', 'other');
  const prefix = fc.constantFrom('USER#', 'ORDER#', 'ITEM#');
  const entity = fc
    .tuple(anyItem, type, prefix, fc.nat(5))
    .map(([rest, kind, start, n]): AttributeMap => ({ ...rest, id: { S: `${start}${n}` }, type: { S: kind } }));
  const mirrors = [users, admins, { ...orders, operations: undefined }, { index: 'all' }];
  const everything = compileRouting(mirrors);
  const matching = (image: AttributeMap) => routeRecord(everything, snapshot(image)).mirrors.map((routed) => routed.action === 'enter');

  it('is a function of the item alone: a backfill, an insert and a modify of the same image enter the same mirrors with the same documents', () => {
    fc.assert(
      fc.property(entity, entity, (image, before) => {
        const entered = (record: ChangeRecord) =>
          routeRecord(everything, record)
            .mirrors.filter((routed) => routed.action === 'enter')
            .map((routed) => [routed.index, stringifyLossless((routed as Extract<MirrorRouting, { action: 'enter' }>).document.document)]);
        const fromBackfill = entered(snapshot(image));
        expect(entered(change(insertRecord(image)))).toEqual(fromBackfill);
        expect(entered(change(modifyRecord({ ...before, id: image.id }, image)))).toEqual(fromBackfill);
        expect(routeRecord(everything, snapshot(image))).toEqual(routeRecord(everything, snapshot(image)));
      }),
      { numRuns: 200 },
    );
  });

  it('moves an item whose match changes: it leaves each mirror it no longer matches and enters each it now matches, never both', () => {
    fc.assert(
      fc.property(entity, entity, (before, after) => {
        const image = { ...after, id: before.id };
        const routed = routeRecord(everything, change(modifyRecord(before, image))).mirrors;
        const [was, is] = [matching(before), matching(image)];
        routed.forEach((mirror, position) => {
          const expected = is[position] ? 'enter' : was[position] ? 'leave' : 'none';
          expect([mirror.index, mirror.action]).toEqual([mirrors[position].index, expected]);
        });
      }),
      { numRuns: 300 },
    );
  });
});
