import { ExactNumber, stringifyLossless, toChangeRecord, type AttributeMap } from '../../../../lambda/core';
import {
  applyTransform,
  clearTransforms,
  registerTransforms,
  transformFor,
  TransformError,
  unregisteredTransforms,
  type Transform,
  type TransformContext,
} from '../../../../lambda/core/routing';
import { modifyRecord, removeRecord, STREAM_ARN } from '../../../support/stream-records';

const before: AttributeMap = { id: { S: '1' }, total: { N: '1' } };
const after: AttributeMap = {
  id: { S: '1' },
  big: { N: '12345678901234567890123456789' },
  price: { N: '10.25' },
  tags: { SS: ['a', 'b'] },
  nested: { M: { exact: { N: '0.1000000000000000055511151231257827' } } },
};
const record = toChangeRecord(modifyRecord(before, after, { sequenceNumber: 7 }), { receivedAt: new Date() });
const run = (transform: Transform) => applyTransform(transform, 'transforms/t.ts#t', 'orders', record);

describe('a mirror transform', () => {
  it('sees the item and its context as plain JSON', () => {
    let seen: [unknown, TransformContext] | undefined;
    run((item, context) => {
      seen = [item, context];
      return item;
    });
    expect(seen![0]).toEqual({ id: '1', big: 1.2345678901234568e28, price: 10.25, tags: ['a', 'b'], nested: { exact: 0.1 } });
    expect(seen![1]).toEqual({
      eventName: 'MODIFY',
      index: 'orders',
      keys: { id: '1' },
      newImage: seen![0],
      oldImage: { id: '1', total: 1 },
      sequenceNumber: '000000000000000000007',
      tableName: 'test-table',
      record: {
        eventID: 'event-000000000000000000007',
        eventName: 'MODIFY',
        eventSourceARN: STREAM_ARN,
        dynamodb: {
          Keys: { id: { S: '1' } },
          NewImage: after,
          OldImage: before,
          SequenceNumber: '000000000000000000007',
          ApproximateCreationDateTime: 1704110400,
        },
      },
    });
  });

  it('sees a REMOVE: the old image as the item, and who removed it (a TTL expiry) in the raw record', () => {
    const ttl = { type: 'Service', principalId: 'dynamodb.amazonaws.com' };
    const removal = toChangeRecord(removeRecord(before, { userIdentity: ttl }), { receivedAt: new Date() });
    let seen: [unknown, TransformContext] | undefined;
    const kept = applyTransform(
      (item, context) => {
        seen = [item, context];
        return context.record.userIdentity?.type === 'Service' ? { ...item, expired: true } : null;
      },
      'transforms/t.ts#t',
      'orders',
      removal,
    );
    expect(seen![0]).toEqual({ id: '1', total: 1 });
    expect(seen![1]).toMatchObject({ eventName: 'REMOVE', oldImage: { id: '1', total: 1 }, record: { userIdentity: ttl } });
    expect(seen![1].newImage).toBeUndefined();
    expect(stringifyLossless(kept!)).toBe('{"id":"1","total":1,"expired":true}');
  });

  it('cannot change the record through the raw record it is given', () => {
    run((_, context) => {
      (context.record.dynamodb.NewImage as Record<string, unknown>).price = { N: '0' };
      return null;
    });
    expect(record.newImage!.price).toEqual({ N: '10.25' });
  });

  it('keeps every digit of a number it passes through, and writes what it computes', () => {
    const document = run((item) => ({ ...item, doubled: (item.price as number) * 2, copy: item.big }));
    expect(stringifyLossless(document!)).toBe(
      '{"id":"1","big":12345678901234567890123456789,"price":10.25,"tags":["a","b"],"nested":{"exact":0.1000000000000000055511151231257827},"doubled":20.5,"copy":1.2345678901234568e+28}',
    );
  });

  it('may change the item it is given without touching another call', () => {
    const mutate: Transform = (item) => {
      item.price = 0;
      return item;
    };
    run(mutate);
    expect((run((item) => item)!.price as ExactNumber).text).toBe('10.25');
  });

  it('returns null for "not in this index"', () => {
    expect(run(() => null)).toBeNull();
  });

  it('writes dates as ISO text and bigints as numbers, and leaves undefined members out, as JSON does', () => {
    const document = run(() => ({ at: new Date(0) as never, n: 10n as never, gone: undefined as never, list: [undefined as never] }));
    expect(stringifyLossless(document!)).toBe('{"at":"1970-01-01T00:00:00.000Z","n":10,"list":[null]}');
  });

  it.each<[string, Transform, RegExp]>([
    [
      'throws',
      () => {
        throw new Error('no total');
      },
      /the transform transforms\/t.ts#t of mirror orders threw: no total/,
    ],
    [
      'throws something else',
      () => {
        throw 'text';
      },
      /threw: text/,
    ],
    ['returns nothing', (() => undefined) as never, /returned undefined: return the document, or null/],
    ['returns a Promise', (async () => ({})) as never, /returned a Promise/],
    ['returns a list', (() => []) as never, /returned a list: a document is a JSON object/],
    ['returns text', (() => 'x') as never, /returned string/],
    ['returns NaN inside', () => ({ a: { b: Number.NaN } }), /not JSON: a.b is NaN/],
    ['returns a function inside', () => ({ f: (() => 1) as never }), /f is a function/],
    ['returns a Map', () => new Map() as never, /returned a Map: a document is a plain JSON object/],
    ['returns a Date', () => new Date(0) as never, /returned a Date: a document is a plain JSON object/],
    [
      'returns a cycle',
      () => {
        const cycle: Record<string, unknown> = {};
        cycle.self = cycle;
        return cycle as never;
      },
      /nested deeper than 100 levels/,
    ],
  ])('that %s is a TransformError naming it, the mirror and the problem', (_, transform, message) => {
    expect(() => run(transform)).toThrow(TransformError);
    expect(() => run(transform)).toThrow(message);
  });
});

describe('the transform registry', () => {
  afterEach(clearTransforms);

  it('finds each mirror its transform, and names the mirrors whose transform is missing', () => {
    const total: Transform = (item) => item;
    registerTransforms({ orders: total });
    expect(transformFor('orders')).toBe(total);
    expect(transformFor('users')).toBeUndefined();
    expect(unregisteredTransforms([{ index: 'orders', transform: 'a#b' }, { index: 'users', transform: 'c#d' }, { index: 'all' }])).toEqual(
      [{ index: 'users', transform: 'c#d' }],
    );
  });

  it('refuses something that is not a function', () => {
    expect(() => registerTransforms({ orders: 'nope' as never })).toThrow(/orders is not a function/);
  });
});
