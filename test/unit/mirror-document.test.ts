import { ExactNumber, stringifyLossless, toJsonNumberText } from '../../lambda/core/lossless-json';
import { toMirrorDocument, toPlainJson, UnmirrorableItemError } from '../../lambda/core/mirror-document';
import { EVERY_TYPE_ITEM } from '../support/stream-records';

const metadata = { sequence_number: '1', event_id: 'e', event_name: 'INSERT', timestamp: '2024-01-01T00:00:00.000Z', deleted: false };

describe('mirror document', () => {
  it('converts every DynamoDB type to plain JSON without loss', () => {
    const json = stringifyLossless(toPlainJson(EVERY_TYPE_ITEM));
    // Numbers beyond double precision appear digit for digit in the JSON text.
    expect(json).toContain('"big":12345678901234567890123456789012345678');
    expect(json).toContain('"precise":0.12345678901234567890123456789012345678');
    expect(json).toContain('"huge":9.9999999999999999999999999999999999999E+125');
    expect(json).toContain('"numbers":[1,2.5,99999999999999999999999999999999999999]');
    expect(JSON.parse(json)).toEqual({
      id: 'every-type',
      text: 'テストユーザー 🚀 ünïcödé',
      empty: '',
      integer: 42,
      negative: -17.25,
      big: 1.2345678901234568e37,
      precise: 0.12345678901234568,
      huge: 1e126,
      tiny: 1e-130,
      binary: 'AAECAwT/',
      strings: ['a', 'b', 'ç'],
      numbers: [1, 2.5, 1e38],
      binaries: ['AQI=', 'AwQ='],
      flag: true,
      off: false,
      nothing: null,
      map: { nested: { deep: 'yes', n: 3 }, 'dotted.name': 'dot', 'with space': 'space' },
      list: ['x', 'y'],
      nestedList: [[1], [2, 3]],
      listOfMaps: [{ k: null }, { k: 'v', other: 2 }],
      emptyList: [],
      emptyMap: {},
    });
  });

  it('adds the bookkeeping field to a live item', () => {
    const document = toMirrorDocument({ id: { S: 'a' } }, metadata);
    expect(document).toEqual({ id: 'a', _cdc: metadata });
  });

  it('writes a tombstone, without the item, for a delete', () => {
    expect(toMirrorDocument(undefined, { ...metadata, event_name: 'REMOVE', deleted: true })).toEqual({
      _cdc: { ...metadata, event_name: 'REMOVE', deleted: true },
    });
  });

  it('refuses items that use the reserved bookkeeping name', () => {
    expect(() => toMirrorDocument({ id: { S: 'a' }, _cdc: { S: 'x' } }, metadata)).toThrow(UnmirrorableItemError);
  });

  it('refuses an attribute named __proto__ rather than silently dropping it', () => {
    expect(() => toPlainJson({ id: { S: 'a' }, m: { M: { ['__proto__']: { S: 'x' } } } })).toThrow(/__proto__/);
  });
});

describe('exact JSON numbers', () => {
  it.each([
    ['42', '42'],
    ['+1', '1'],
    ['.5', '0.5'],
    ['5.', '5'],
    ['007', '7'],
    ['-0.0', '-0.0'],
    ['1E+125', '1E+125'],
  ])('writes DynamoDB number %s as JSON number %s', (input, output) => {
    expect(toJsonNumberText(input)).toBe(output);
    expect(Number.isFinite(JSON.parse(stringifyLossless(new ExactNumber(input))))).toBe(true);
  });

  it('refuses text that is not a number instead of writing broken JSON', () => {
    expect(() => stringifyLossless(new ExactNumber('12abc'))).toThrow(/not a number/);
  });

  it('escapes strings and keys like JSON.stringify', () => {
    const value = { 'a"b': 'line\nbreak \u2028', list: [null, true] };
    expect(stringifyLossless(value)).toBe(JSON.stringify(value));
  });
});
