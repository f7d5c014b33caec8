import { ExactNumber, stringifyLossless, toJsonNumberText } from '../../../lambda/core/lossless-json';
import { itemOfMirrorDocument, toMirrorDocument, toPlainJson } from '../../../lambda/core/mirror-document';
import { EVERY_TYPE_ITEM } from '../../support/stream-records';

const metadata = { sequence_number: '1', event_id: 'e', event_name: 'INSERT', timestamp: '2024-01-01T00:00:00.000Z' };
const plain = (value: unknown) => JSON.parse(stringifyLossless(value as never));

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

  it('adds the bookkeeping field to an item', () => {
    expect(plain(toMirrorDocument({ id: { S: 'a' } }, metadata).document)).toEqual({ id: 'a', _cdc: metadata });
  });

  it.each([
    ['a list mixing kinds of values', { m: { L: [{ S: 'a' }, { N: '1' }, { NULL: true }, { BOOL: true }, { M: {} }] } }, /list mixing/],
    ['a reserved root name', { _id: { S: 'x' } }, /reserved/],
    ['our own bookkeeping name', { _cdc: { S: 'x' } }, /reserved/],
    ['a name OpenSearch refuses', { 'a..b': { S: 'x' } }, /dot/],
    ['a bad name inside a map', { m: { M: { '.': { S: 'x' } } } }, /dot/],
    ['a blank name', { ' ': { S: 'x' } }, /blank/],
  ])('keeps %s exactly but unindexed, with the reason, and the rest indexed', (_name, attributes, reason) => {
    const item = { id: { S: 'a' }, ...attributes };
    const document = plain(toMirrorDocument(item as never, metadata).document);
    expect(document.id).toBe('a');
    expect(document._cdc.unindexed).toEqual(plain(toPlainJson(attributes as never)));
    expect(document._cdc.unindexed_reason).toMatch(reason);
    expect(itemOfMirrorDocument(document)).toEqual(plain(toPlainJson(item as never)));
  });

  it('keeps every attribute unindexed in the stored form, with the reason', () => {
    const document = plain(
      toMirrorDocument({ id: { S: 'a' }, n: { N: '1' } }, metadata, {
        form: 'stored',
        reason: 'Limit of total fields [5000] has been exceeded',
      }).document,
    );
    expect(document).toEqual({
      _cdc: { ...metadata, unindexed: { id: 'a', n: 1 }, unindexed_reason: 'Limit of total fields [5000] has been exceeded' },
    });
  });

  it('keeps an attribute named __proto__, at the root and nested', () => {
    const item = JSON.parse('{"id":{"S":"a"},"__proto__":{"S":"top"},"m":{"M":{"__proto__":{"N":"1"}}}}');
    expect(stringifyLossless(toPlainJson(item))).toBe('{"id":"a","__proto__":"top","m":{"__proto__":1}}');
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
