/**
 * Shaping never loses an attribute silently: over generated documents and settings, every leaf
 * of the document is in the shaped document exactly once (where it was, or renamed), unless an
 * explicit `include` leaves it out or an explicit `exclude` drops it; and a declared field
 * either converts or keeps its root attribute as it was, with the reason.
 */
import fc from 'fast-check';
import { ExactNumber, type LosslessObject, type LosslessValue } from '../../../../lambda/core';
import { documentShape, formatAttributePath, shapeDocument, FIELD_TYPES, type AttributePath } from '../../../../lambda/core/routing';

const NAMES = ['a', 'b', 'c', '__proto__', 'x.y'];
const name = fc.constantFrom(...NAMES);
const path = fc.array(name, { minLength: 1, maxLength: 3 });
const pathText = path.map(formatAttributePath);

/** Documents whose leaves are placeholders, numbered afterwards so each leaf is one of a kind. */
const { tree } = fc.letrec<{ tree: LosslessValue; map: LosslessValue; list: LosslessValue }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.constant('leaf'), tie('map'), tie('list')),
  map: fc
    .uniqueArray(fc.tuple(name, tie('tree')), { minLength: 1, maxLength: 4, selector: ([key]) => key })
    .map((entries) => Object.fromEntries(entries)),
  list: fc.array(tie('tree'), { minLength: 1, maxLength: 3 }),
}));
const documentArbitrary = fc
  .uniqueArray(fc.tuple(name, tree), { minLength: 1, maxLength: 5, selector: ([key]) => key })
  .map((entries) => numbered(Object.fromEntries(entries)) as LosslessObject);

function numbered(value: LosslessValue, counter = { next: 0 }): LosslessValue {
  if (value === 'leaf') return `v${counter.next++}`;
  if (Array.isArray(value)) return value.map((element) => numbered(element, counter));
  return Object.fromEntries(Object.entries(value as LosslessObject).map(([key, inner]) => [key, numbered(inner, counter)]));
}

/** Every leaf with its path of names (list positions are not names: a path goes through every element). */
function leaves(value: LosslessValue, names: AttributePath = []): { value: string; names: AttributePath }[] {
  if (Array.isArray(value)) return value.flatMap((element) => leaves(element, names));
  if (value !== null && typeof value === 'object' && !(value instanceof ExactNumber))
    return Object.entries(value).flatMap(([key, inner]) => leaves(inner, [...names, key]));
  return [{ value: value as string, names }];
}

const startsWith = (names: AttributePath, prefix: AttributePath) =>
  prefix.length <= names.length && prefix.every((part, at) => names[at] === part);

describe('shaping a mirror document, over any document and settings', () => {
  it('keeps every leaf exactly once, unless an explicit include leaves it out or an explicit exclude drops it', () => {
    const settings = fc.record(
      {
        include: fc.array(path, { minLength: 1, maxLength: 3 }),
        exclude: fc.array(path, { maxLength: 3 }),
        rename: fc.array(fc.tuple(pathText, pathText), { maxLength: 4 }).map((pairs) => Object.fromEntries(pairs)),
      },
      { requiredKeys: ['rename'] },
    );
    fc.assert(
      fc.property(documentArbitrary, settings, (document, { include, exclude, rename }) => {
        const shaped = shapeDocument(
          documentShape({ include: include?.map(formatAttributePath), exclude: exclude?.map(formatAttributePath), rename }),
          document,
        );
        const expected = leaves(document)
          .filter((leaf) => include === undefined || include.some((prefix) => startsWith(leaf.names, prefix)))
          .filter((leaf) => !(exclude ?? []).some((prefix) => startsWith(leaf.names, prefix)))
          .map((leaf) => leaf.value);
        expect(
          leaves(shaped.document)
            .map((leaf) => leaf.value)
            .sort(),
        ).toEqual(expected.sort());
      }),
      { numRuns: 500 },
    );
  });

  it('moves every value renamed, however renames chain, swap or collide, and overwrites none', () => {
    const root = fc.constantFrom('a', 'b', 'c', 'd');
    const renames = fc
      .array(
        fc.tuple(
          root,
          fc.oneof(
            root,
            root.map((to) => `${to}.x`),
          ),
        ),
        { maxLength: 4 },
      )
      .map((pairs) => Object.fromEntries(pairs));
    const document = fc.uniqueArray(root, { minLength: 1 }).map((keys) => Object.fromEntries(keys.map((key) => [key, `v-${key}`])));
    fc.assert(
      fc.property(document, renames, (values, rename) => {
        const shaped = shapeDocument(documentShape({ rename }), values);
        expect(
          leaves(shaped.document)
            .map((leaf) => leaf.value)
            .sort(),
        ).toEqual(Object.values(values).sort());
      }),
      { numRuns: 500 },
    );
  });

  it('converts a declared field, or keeps its root attribute exactly as it was and names it with the reason', () => {
    const value = fc.oneof(
      fc.string(),
      fc.integer().map((n) => new ExactNumber(String(n))),
      fc.boolean(),
      fc.constant(null),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('a', 'b', 'c'), value), fc.constantFrom(...FIELD_TYPES), (document, type) => {
        const shaped = shapeDocument(documentShape({ fields: { a: type } }), document);
        expect(Object.keys(shaped.document)).toEqual(Object.keys(document));
        for (const [key, original] of Object.entries(document)) {
          if (key !== 'a' || shaped.unconverted.has('a')) expect(shaped.document[key]).toBe(original);
        }
        if (shaped.unconverted.has('a')) expect(shaped.unconverted.get('a')).toMatch(new RegExp(`^"a" is declared ${type}: `));
      }),
      { numRuns: 300 },
    );
  });
});
