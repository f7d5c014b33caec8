import * as fc from 'fast-check';
import { parse } from 'lossless-json';
import {
  ExactNumber,
  itemOfMirrorDocument,
  stringifyLossless,
  toMirrorDocument,
  type AttributeMap,
  type LosslessObject,
  type LosslessValue,
} from '../../../../lambda/core';
import { attributeValueOf, documentShape, shapeDocument, toShapedMirrorDocument } from '../../../../lambda/core/routing';
import { attributeName, numberText } from '../../../support/arbitrary-items';
import { canonical } from '../../../support/plain-json';

const metadata = { sequence_number: '1', event_id: 'e', event_name: 'INSERT', timestamp: '2024-01-01T00:00:00.000Z' };

describe("a routed mirror's document", () => {
  const document: LosslessObject = {
    id: 'ORDER#1',
    placed: new ExactNumber('1700000000'),
    shipped: 'next tuesday',
    _id: 'reserved name',
  };
  const shaped = shapeDocument(documentShape({ fields: { placed: 'date', shipped: 'date' } }), document);
  const mirror = toShapedMirrorDocument(shaped, metadata);
  const source = parse(stringifyLossless(mirror.document)) as Record<string, unknown>;

  it('keeps a value that does not convert to its declared type exactly, unindexed, with the reason, and indexes the rest', () => {
    expect(Object.keys(source)).toEqual(['id', 'placed', '_cdc']);
    expect(source.placed).toBe('2023-11-14T22:13:20.000Z');
    expect(source._cdc).toMatchObject({
      unindexed: { _id: 'reserved name', shipped: 'next tuesday' },
      unindexed_reason: expect.stringMatching(
        /reserved by OpenSearch.*; "shipped" is declared date: the text "next tuesday": not ISO 8601/,
      ),
    });
    expect(mirror.unindexed).toBe(true);
  });

  it('reads back as the shaped document: nothing of it is lost', () => {
    expect(canonical(itemOfMirrorDocument(source))).toEqual(canonical(parse(stringifyLossless(shaped.document))));
  });

  it('is the plain mirror document when every declared field converts', () => {
    const plain = toShapedMirrorDocument(shapeDocument(documentShape({ fields: { placed: 'date' } }), { placed: 0 }), metadata);
    expect(plain.unindexed).toBe(false);
    expect(stringifyLossless(plain.document)).toBe(`{"placed":"1970-01-01T00:00:00.000Z","_cdc":${JSON.stringify(metadata)}}`);
  });
});

describe("a routed mirror's document laid out from plain JSON", () => {
  // The shaped document as a transform may leave it: plain JSON of any nesting, numbers exact or JavaScript numbers.
  const plainValue: fc.Arbitrary<LosslessValue> = fc.letrec<{ value: LosslessValue }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.string(),
      fc.boolean(),
      fc.constant(null),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      numberText.map((text) => new ExactNumber(text)),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(attributeName, tie('value'), { maxKeys: 4 }),
    ),
  })).value;

  it('is the mirror document of the same attributes as DynamoDB JSON, whatever their values and names', () => {
    fc.assert(
      fc.property(fc.dictionary(attributeName, plainValue, { maxKeys: 6 }), (document) => {
        const shaped = { document, unconverted: new Map<string, string>() };
        const direct = toShapedMirrorDocument(shaped, metadata);
        const viaImage = toMirrorDocument((attributeValueOf(document) as { M: AttributeMap }).M, metadata);
        expect(stringifyLossless(direct.document)).toBe(stringifyLossless(viaImage.document));
        expect(direct.newFields).toEqual(viaImage.newFields);
        expect(direct.unindexed).toBe(viaImage.unindexed);
      }),
    );
  });
});
