import { parse } from 'lossless-json';
import { canonicalItem, canonicalMirrorItem, canonicalNumber } from '../../../lambda/core/item-compare';
import { stringifyLossless } from '../../../lambda/core/lossless-json';
import { toPlainJson } from '../../../lambda/core/mirror-document';
import type { AttributeMap } from '../../../lambda/core/change-record';

describe('numbers compared by value', () => {
  it.each([
    ['1.50', '1.5'],
    ['1E+2', '100'],
    ['0.001', '1E-3'],
    ['-0', '0'],
    ['007', '7'],
    ['9.9999999999999999999999999999999999999E+125', `99999999999999999999999999999999999999${'0'.repeat(88)}`],
    ['1E-130', `0.${'0'.repeat(129)}1`],
  ])('%s equals %s', (a, b) => {
    expect(canonicalNumber(a)).toBe(canonicalNumber(b));
  });

  it.each([
    ['12345678901234567890123456789012345678', '12345678901234567890123456789012345679'],
    ['1.5', '-1.5'],
    ['1E-130', '1E-129'],
  ])('%s differs from %s, at any digit', (a, b) => {
    expect(canonicalNumber(a)).not.toBe(canonicalNumber(b));
  });
});

describe('a mirror document against the table item', () => {
  const item: AttributeMap = {
    id: { S: 'a' },
    n: { N: '1.50' },
    tags: { SS: ['b', 'a'] },
    nums: { NS: ['2', '1'] },
    list: { L: [{ N: '1' }, { S: 'x' }] },
    m: { M: { deep: { BOOL: true } } },
  };
  const mirrored = (image: AttributeMap) => parse(stringifyLossless(toPlainJson(image))) as Record<string, unknown>;

  it('matches the same item, whatever the set order and the number form', () => {
    const sameInOtherForm: AttributeMap = { ...item, n: { N: '15E-1' }, tags: { SS: ['a', 'b'] }, nums: { NS: ['1', '2.0'] } };
    expect(canonicalMirrorItem(mirrored(sameInOtherForm), item)).toBe(canonicalItem(item));
  });

  it.each([
    ['a changed number', { n: { N: '1.51' } }],
    ['a list in another order', { list: { L: [{ S: 'x' }, { N: '1' }] } }],
    ['a missing attribute', { m: undefined }],
    ['an extra attribute', { extra: { S: 'e' } }],
    ['text where a number was', { n: { S: '1.50' } }],
  ])('differs with %s', (_case, change) => {
    const other = Object.fromEntries(Object.entries({ ...item, ...change }).filter(([, value]) => value !== undefined)) as AttributeMap;
    expect(canonicalMirrorItem(mirrored(other), item)).not.toBe(canonicalItem(item));
  });
});
