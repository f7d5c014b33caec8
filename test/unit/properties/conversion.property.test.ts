/**
 * Properties of the pure core over generated DynamoDB items: conversion to the change-log and
 * mirror documents loses nothing (parse the JSON back and compare), and document ids are
 * injective, for any attribute names, types, nesting and key lengths.
 */
import fc from 'fast-check';
import { parse } from 'lossless-json';
import { toChangeRecord, type AttributeValue } from '../../../lambda/core/change-record';
import { toChangeLogDocument } from '../../../lambda/core/change-log-document';
import { documentId } from '../../../lambda/core/document-id';
import { stringifyLossless } from '../../../lambda/core/lossless-json';
import { itemOfMirrorDocument, toMirrorDocument } from '../../../lambda/core/mirror-document';
import { deepItem, item } from '../../support/arbitrary-items';
import { canonical, expectedItem } from '../../support/plain-json';
import { insertRecord, modifyRecord } from '../../support/stream-records';

const metadata = { sequence_number: '1', event_id: 'e', event_name: 'INSERT', timestamp: '2024-01-01T00:00:00.000Z' };
const receivedAt = new Date('2024-01-01T00:00:00Z');

describe('conversion of any valid item', () => {
  it('to the mirror document loses nothing: the document parses back to the item', () => {
    fc.assert(
      fc.property(item, (image) => {
        const text = stringifyLossless(toMirrorDocument(image, metadata).document);
        const parsed = parse(text) as Record<string, unknown>;
        expect(canonical(itemOfMirrorDocument(parsed))).toEqual(expectedItem(image));
        expect(canonical((parsed._cdc as Record<string, unknown>).sequence_number)).toBe('1');
      }),
      { numRuns: 300 },
    );
  });

  it('to the stored mirror form loses nothing either', () => {
    fc.assert(
      fc.property(item, (image) => {
        const parsed = parse(
          stringifyLossless(toMirrorDocument(image, metadata, { form: 'stored', reason: 'refused' }).document),
        ) as Record<string, unknown>;
        expect(Object.keys(parsed)).toEqual(['_cdc']);
        expect(canonical(itemOfMirrorDocument(parsed))).toEqual(expectedItem(image));
      }),
      { numRuns: 100 },
    );
  });

  it('to the change-log document keeps both images exactly, as DynamoDB JSON', () => {
    fc.assert(
      fc.property(item, item, (before, after) => {
        const newImage = { ...after, id: before.id };
        const record = toChangeRecord(modifyRecord(before, newImage), { receivedAt });
        const parsed = JSON.parse(JSON.stringify(toChangeLogDocument(record, receivedAt)));
        const images = { ...parsed.unindexed, ...parsed };
        expect(JSON.stringify(images.new_data)).toBe(JSON.stringify(newImage));
        expect(JSON.stringify(images.old_data)).toBe(JSON.stringify(before));
        expect(JSON.stringify(parsed.keys)).toBe(JSON.stringify({ id: before.id }));
      }),
      { numRuns: 300 },
    );
  });

  it('survives the stream record normalisation with every name, __proto__ included', () => {
    fc.assert(
      fc.property(item, (image) => {
        const record = toChangeRecord(JSON.parse(JSON.stringify(insertRecord(image))), { receivedAt });
        expect(JSON.stringify(record.newImage)).toBe(JSON.stringify(image));
      }),
      { numRuns: 300 },
    );
  });

  it.each([1, 16, 32])('keeps an item nested %i levels exactly', (depth) => {
    const image = deepItem(depth);
    const parsed = parse(stringifyLossless(toMirrorDocument(image, metadata).document)) as Record<string, unknown>;
    expect(canonical(itemOfMirrorDocument(parsed))).toEqual(expectedItem(image));
  });
});

describe('document ids', () => {
  // A table declares one type per key attribute, so the keys of one table are all strings or all
  // numbers: "9" and 9 never meet in one table.
  const stringKey = fc.oneof(
    fc.string({ minLength: 1, maxLength: 60 }).map((S) => ({ S })),
    fc.string({ minLength: 500, maxLength: 2048 }).map((S) => ({ S })),
    fc.stringMatching(/^[|\\a-c]{1,12}$/).map((S) => ({ S })),
  );
  const numberKey = fc.integer().map((n) => ({ N: String(n) }));
  const keyOfOneType = fc.constantFrom<fc.Arbitrary<AttributeValue>>(stringKey, numberKey);
  const byValue = { minLength: 2, maxLength: 20, selector: (value: unknown) => JSON.stringify(value) };

  it('are injective for a partition key of 1 to 2,048 bytes', () => {
    fc.assert(
      fc.property(
        keyOfOneType.chain((keyValue) => fc.uniqueArray(keyValue, byValue)),
        (keys) => {
          const ids = keys.map((value) => documentId({ id: value }, { partitionKey: 'id' }));
          expect(new Set(ids).size).toBe(keys.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('are injective for composite keys, whatever | and \\ they hold', () => {
    const schema = { partitionKey: 'pk', sortKey: 'sk' };
    fc.assert(
      fc.property(
        fc.tuple(keyOfOneType, keyOfOneType).chain(([pkValue, skValue]) => fc.uniqueArray(fc.tuple(pkValue, skValue), byValue)),
        (pairs) => {
          const ids = pairs.map(([pk, sk]) => documentId({ pk, sk }, schema));
          expect(new Set(ids).size).toBe(pairs.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never give a key the id that another, hashed, key has', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 520, maxLength: 2048 }), (long) => {
        const hashed = documentId({ id: { S: long } }, { partitionKey: 'id' });
        expect(documentId({ id: { S: hashed } }, { partitionKey: 'id' })).not.toBe(hashed);
      }),
      { numRuns: 100 },
    );
  });
});
