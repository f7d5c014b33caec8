import fc from 'fast-check';
import { parse } from 'lossless-json';
import type { AttributeMap, AttributeValue } from '../../../lambda/core/change-record';
import { stringifyLossless } from '../../../lambda/core/lossless-json';
import { itemOfMirrorDocument, mappableAttributes, toMirrorDocument } from '../../../lambda/core/mirror-document';
import { MirrorMapping, type MappedFields } from '../../../lambda/core/mirror-fields';
import { DynamicMapping } from '../../support/dynamic-mapping';
import { canonical, expectedItem } from '../../support/plain-json';

const metadata = { sequence_number: '1', event_id: 'e', event_name: 'INSERT', timestamp: '2024-01-01T00:00:00.000Z' };

/** The engine's mapping after these documents (plain JSON), as OpenSearch maps them. */
function mappedBy(...documents: Record<string, unknown>[]): DynamicMapping {
  const mapping = new DynamicMapping(5000);
  for (const document of documents) expect(mapping.take(document).refused).toBeUndefined();
  return mapping;
}

/** The mirror document of `item` placed on `fields`, as JSON. */
function placed(item: AttributeMap, fields: MappedFields | MirrorMapping): Record<string, any> {
  const mapping = fields instanceof MirrorMapping ? fields : new MirrorMapping(fields);
  return JSON.parse(stringifyLossless(toMirrorDocument(item, metadata, { form: 'indexed', mapping }).document));
}

const S = (text: string) => ({ S: text });
const N = (text: string) => ({ N: text });
const M = (map: AttributeMap) => ({ M: map });

describe('placing an item on the mirror mapping', () => {
  it('moves only a map that arrives where text is mapped, with the reason, and keeps the rest at the root', () => {
    const document = placed({ id: S('2'), a: M({ b: S('x') }), c: S('y') }, mappedBy({ id: '1', a: 'text', c: 'z' }).fields());
    expect(document).toMatchObject({ id: '2', c: 'y' });
    expect(document.a).toBeUndefined();
    expect(document._cdc.unindexed).toEqual({ a: { b: 'x' } });
    expect(document._cdc.unindexed_reason).toBe('"a": "a" is mapped as text: a map there would be skipped by the index without a trace');
  });

  it.each([
    ['a number', { n: 1 }, M({ x: N('1') })],
    ['a boolean', { flag: true }, M({ x: N('1') })],
    ['a number, inside a map', { m: { n: 1 } }, M({ n: M({ deep: S('x') }) })],
    ['a boolean, for text other than true or false', { flag: true }, S('yes')],
    ['a boolean, for a number', { flag: true }, N('1')],
  ])('moves what would be skipped without a trace where %s is mapped', (_name, earlier, value) => {
    const name = Object.keys(earlier)[0];
    const document = placed({ id: S('2'), [name]: value, other: S('kept') }, mappedBy({ id: '1', ...earlier }).fields());
    expect(Object.keys(document._cdc.unindexed)).toEqual([name]);
    expect(document.other).toBe('kept');
  });

  it.each([
    ['text', S('x')],
    ['a number', N('1')],
    ['a list of text', { L: [S('x')] }],
    ['nothing, for a dotted name below it (a new path in the map)', undefined],
  ])('moves only %s where a map is mapped (the item would be refused), not the whole item', (_name, value) => {
    const item: AttributeMap = value === undefined ? { id: S('2'), 'a.c.d': S('x') } : { id: S('2'), a: value };
    const document = placed(item, mappedBy({ id: '1', a: { b: 'x' } }).fields());
    if (value === undefined) expect(document['a.c.d']).toBe('x');
    else expect(Object.keys(document._cdc.unindexed)).toEqual(['a']);
    expect(document.id).toBe('2');
  });

  it('leaves text where a number is mapped at the root (OpenSearch lists it in _ignored), and takes a number or a boolean where text is', () => {
    const document = placed(
      { id: S('2'), n: S('n/a'), t: N('5'), u: { BOOL: true }, flag: S('true') },
      mappedBy({ id: '1', n: 1, t: 'x', u: 'x', flag: false }).fields(),
    );
    expect(document).toMatchObject({ n: 'n/a', t: 5, u: true, flag: 'true' });
    expect(document._cdc.unindexed).toBeUndefined();
  });

  it('reads dotted names as objects, as OpenSearch does', () => {
    const fields = mappedBy({ id: '1', a: 'text' }).fields();
    expect(Object.keys(placed({ id: S('2'), 'a.b': S('x') }, fields)._cdc.unindexed)).toEqual(['a.b']);
    expect(placed({ id: S('2'), 'm.n': S('x'), m: M({ n: N('1') }) }, fields)._cdc.unindexed).toEqual({ m: { n: 1 } });
  });

  it('moves a list of maps whose maps hold different kinds at one path (OpenSearch refuses the item)', () => {
    const document = placed({ id: S('1'), l: { L: [M({ a: N('1') }), M({ a: S('x') })] } }, new DynamicMapping(5000).fields());
    expect(Object.keys(document._cdc.unindexed)).toEqual(['l']);
    expect(document._cdc.unindexed_reason).toMatch(/"l\.a" is first mapped as a number by this batch: text there would conflict/);
  });

  it('lets the first item of a batch claim a path no one maps, and moves another kind there in a later item', () => {
    const mapping = new MirrorMapping(new DynamicMapping(5000).fields());
    expect(placed({ id: S('1'), a: S('text first') }, mapping).a).toBe('text first');
    const second = placed({ id: S('2'), a: M({ b: S('x') }), c: S('y') }, mapping);
    expect(second._cdc.unindexed).toEqual({ a: { b: 'x' } });
    expect(second.c).toBe('y');
    expect(placed({ id: S('3'), a: S('text again') }, mapping).a).toBe('text again');
  });

  it('says what each item maps that the engine does not hold yet, the paths an earlier item claimed included', () => {
    const mapping = new MirrorMapping(mappedBy({ id: '1' }).fields());
    const first = toMirrorDocument({ id: S('1'), a: M({ b: S('x') }) }, metadata, { form: 'indexed', mapping });
    expect([...first.newFields]).toEqual([
      ['a', 'object'],
      ['a.b', 'text'],
    ]);
    const second = toMirrorDocument({ id: S('2'), a: M({ b: S('y') }), c: { BOOL: true } }, metadata, { form: 'indexed', mapping });
    expect([...second.newFields]).toEqual([
      ['a', 'object'],
      ['a.b', 'text'],
      ['c', 'boolean'],
    ]);
  });

  describe('at the field limit (objects, leaves and .keyword multi-fields count)', () => {
    const full = () => {
      const mapping = mappedBy({ id: '1', known: 'x', n: 1 });
      return mapping.withLimit(mapping.count);
    };

    it('keeps the known attributes indexed and moves only the new names', () => {
      const document = placed({ id: S('2'), known: S('y'), n: N('2'), brandNew: N('3') }, full().fields());
      expect(document).toMatchObject({ id: '2', known: 'y', n: 2 });
      expect(document._cdc.unindexed).toEqual({ brandNew: 3 });
      expect(document._cdc.unindexed_reason).toMatch(/holds 13 of its 13 fields \(index.mapping.total_fields.limit\)/);
    });

    it('counts text as two fields: one free field takes a new number, not new text', () => {
      const oneFree = full().withLimit(full().count + 1);
      const document = placed({ id: S('2'), text: S('x'), number: N('1') }, oneFree.fields());
      expect(document.number).toBe(1);
      expect(document._cdc.unindexed).toEqual({ text: 'x' });
    });
  });

  it('leaves paths of types it does not reason about to the engine', () => {
    const fields: MappedFields = { kinds: new Map([['when', 'other']]), count: 1, limit: 5000 };
    expect(placed({ id: S('1'), when: M({ lat: N('1') }) }, fields).when).toEqual({ lat: 1 });
  });
});

/** Items over a few names, so that kinds meet at the same paths: text, numbers, booleans, maps, lists, dotted names. */
const NAMES = ['a', 'b', 'c', 'a.b', 'b.c'];
const conflictingValue: fc.Arbitrary<AttributeValue> = fc.letrec<{ value: AttributeValue }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'conflicting' },
    { weight: 3, arbitrary: fc.oneof(fc.constantFrom('x', 'true', '', '7'), fc.string({ maxLength: 3 })).map((text) => ({ S: text })) },
    { weight: 2, arbitrary: fc.integer({ min: -5, max: 5 }).map((n) => ({ N: String(n) })) },
    { weight: 1, arbitrary: fc.boolean().map((BOOL) => ({ BOOL })) },
    { weight: 1, arbitrary: fc.constant({ NULL: true as const }) },
    {
      weight: 2,
      arbitrary: fc.dictionary(fc.constantFrom(...NAMES), tie('value'), { maxKeys: 3 }).map((map) => ({ M: map }) as AttributeValue),
    },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 3 }).map((L) => ({ L }) as AttributeValue) },
  ),
})).value;
const conflictingItem: fc.Arbitrary<AttributeMap> = fc
  .tuple(fc.integer({ min: 0, max: 999 }), fc.dictionary(fc.constantFrom(...NAMES), conflictingValue, { maxKeys: 5 }))
  .map(([id, rest]) => ({ id: { S: String(id) }, ...rest }));

/** A mirror mapping made by earlier documents, with a limit somewhere above what they map. */
const engineMapping = fc.tuple(fc.array(conflictingItem, { maxLength: 4 }), fc.integer({ min: 0, max: 30 })).map(([earlier, headroom]) => {
  const mapping = new DynamicMapping(Number.MAX_SAFE_INTEGER);
  for (const item of earlier) mapping.take(JSON.parse(stringifyLossless(toMirrorDocument(item, metadata).document)));
  return mapping.withLimit(mapping.count + headroom);
});

describe('placement, for any item on any mapping', () => {
  it('gives a document that parses back to the item, that the engine takes whole, with no value skipped without a trace', () => {
    fc.assert(
      fc.property(engineMapping, fc.array(conflictingItem, { minLength: 1, maxLength: 4 }), (engine, batch) => {
        // The batch's items in order, each on the mapping the engine has once the earlier ones are written.
        const mapping = new MirrorMapping(engine.fields());
        for (const item of batch) {
          const text = stringifyLossless(placed(item, mapping));
          expect(canonical(itemOfMirrorDocument(parse(text) as Record<string, unknown>))).toEqual(expectedItem(item));
          const taken = engine.take(JSON.parse(text));
          expect(taken.refused).toBeUndefined();
          expect(taken.skipped).toEqual([]);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('moves only attributes that must move: each one put back alone would be refused or skipped', () => {
    fc.assert(
      fc.property(engineMapping, conflictingItem, (engine, item) => {
        const document = placed(item, engine.fields());
        // Attributes no mapping takes (a list mixing kinds): moved whatever the mapping holds.
        const mappable = new Set(mappableAttributes(item).map(([name]) => name));
        const moved = Object.entries((document._cdc.unindexed ?? {}) as Record<string, unknown>).filter(([name]) => mappable.has(name));
        for (const [name, value] of moved) {
          const putBack = { ...document, [name]: value, _cdc: { ...document._cdc, unindexed: undefined } };
          const taken = engine.clone().take(putBack);
          expect(taken.refused !== undefined || taken.skipped.length > 0).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
