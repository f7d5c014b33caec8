/**
 * fast-check generators of what DynamoDB accepts: attribute names of any text (including the
 * ones JavaScript and OpenSearch treat specially), every type, nesting to DynamoDB's 32 levels,
 * numbers of up to 38 digits in DynamoDB's range.
 */
import fc from 'fast-check';
import type { AttributeMap, AttributeValue } from '../../lambda/core/change-record';

/** Names with a meaning elsewhere: JavaScript's object model, OpenSearch's field names and metadata. */
const SPECIAL_NAMES = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '_id',
  '_source',
  '_cdc',
  '_doc_count',
  '_index',
  'a.b',
  '.a',
  'a.',
  'a..b',
  '.',
  ' ',
  'with space',
  '日本語',
  'S',
  'N',
  'M',
  'L',
];

export const attributeName: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' }) },
  { weight: 2, arbitrary: fc.constantFrom(...SPECIAL_NAMES) },
);

/** A DynamoDB number as text: up to 38 significant digits, magnitude within 1E-130 .. 9.99E+125. */
export const numberText: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('', '-'),
    fc.stringMatching(/^[1-9][0-9]{0,18}$/),
    fc.stringMatching(/^[0-9]{0,19}$/),
    fc.option(fc.integer({ min: -100, max: 100 }), { nil: undefined }),
  )
  .map(
    ([sign, integer, fraction, exponent]) =>
      `${sign}${integer}${fraction ? `.${fraction}` : ''}${exponent === undefined ? '' : `E${exponent}`}`,
  );

const base64: fc.Arbitrary<string> = fc.uint8Array({ minLength: 1, maxLength: 24 }).map((bytes) => Buffer.from(bytes).toString('base64'));

const scalar: fc.Arbitrary<AttributeValue> = fc.oneof(
  fc.string({ maxLength: 30, unit: 'grapheme' }).map((S) => ({ S })),
  numberText.map((N) => ({ N })),
  base64.map((B) => ({ B })),
  fc.boolean().map((BOOL) => ({ BOOL })),
  fc.constant({ NULL: true as const }),
  fc.uniqueArray(fc.string({ maxLength: 10 }), { minLength: 1, maxLength: 4 }).map((SS) => ({ SS })),
  fc.uniqueArray(numberText, { minLength: 1, maxLength: 4 }).map((NS) => ({ NS })),
  fc.uniqueArray(base64, { minLength: 1, maxLength: 3 }).map((BS) => ({ BS })),
);

/** Unique names, in a map built with own properties (an `__proto__` name stays a name). */
function mapOf(value: fc.Arbitrary<AttributeValue>, maxKeys: number): fc.Arbitrary<AttributeMap> {
  return fc
    .uniqueArray(fc.tuple(attributeName, value), { maxLength: maxKeys, selector: ([name]) => name })
    .map((entries) => Object.fromEntries(entries));
}

export const attributeValue: fc.Arbitrary<AttributeValue> = fc.letrec<{ value: AttributeValue }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 32, depthIdentifier: 'item' },
    { weight: 4, arbitrary: scalar },
    { weight: 1, arbitrary: mapOf(tie('value'), 4).map((M) => ({ M }) as AttributeValue) },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }).map((L) => ({ L }) as AttributeValue) },
  ),
})).value;

/** An item: its key attribute `id` plus any attributes. */
export const item: fc.Arbitrary<AttributeMap> = fc
  .tuple(fc.string({ minLength: 1, maxLength: 40 }), mapOf(attributeValue, 8))
  .map(([id, rest]) => Object.fromEntries([['id', { S: id }], ...Object.entries(rest).filter(([name]) => name !== 'id')]));

/** An item nested exactly `depth` levels deep (DynamoDB allows 32). */
export function deepItem(depth: number): AttributeMap {
  let value: AttributeValue = { S: 'bottom' };
  for (let level = 1; level < depth; level++) value = level % 2 === 0 ? { L: [value] } : { M: { [`level${level}`]: value } };
  return { id: { S: `deep-${depth}` }, tree: value };
}
