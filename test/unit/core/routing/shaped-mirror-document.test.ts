import { parse } from 'lossless-json';
import { ExactNumber, itemOfMirrorDocument, stringifyLossless, type LosslessObject } from '../../../../lambda/core';
import { documentShape, shapeDocument, toShapedMirrorDocument } from '../../../../lambda/core/routing';
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
