import { ExactNumber, type LosslessObject } from '../../../../lambda/core';
import { documentShape, shapeDocument, type MirrorRoute } from '../../../../lambda/core/routing';

const order: LosslessObject = {
  pk: 'ORDER#1',
  email: 'a@example.com',
  customer: { name: 'Ann', card: { number: '4111', expiry: '12/30' } },
  lines: [
    { sku: 'A', price: new ExactNumber('10.5'), secret: 'x' },
    { sku: 'B', price: new ExactNumber('2') },
  ],
  placedAt: new ExactNumber('1700000000'),
};

const shape = (route: Omit<MirrorRoute, 'index'>, document: LosslessObject = order) => {
  const shaped = shapeDocument(documentShape(route), document);
  return {
    document: JSON.parse(JSON.stringify(shaped.document, (_, v) => (v instanceof ExactNumber ? `#${v.text}` : v))),
    unconverted: shaped.unconverted,
  };
};

describe('shaping a mirror document', () => {
  it('keeps the document as it is without settings', () => {
    expect(shapeDocument(documentShape({}), order).document).toBe(order);
  });

  it('includes only the paths asked for, through maps and lists', () => {
    expect(shape({ include: ['pk', 'customer.name', 'lines.sku', 'missing', 'pk.deeper'] }).document).toEqual({
      pk: 'ORDER#1',
      customer: { name: 'Ann' },
      lines: [{ sku: 'A' }, { sku: 'B' }],
    });
  });

  it('excludes paths, through maps and lists, after include', () => {
    expect(shape({ include: ['customer', 'lines'], exclude: ['customer.card', 'lines.secret'] }).document).toEqual({
      customer: { name: 'Ann' },
      lines: [
        { sku: 'A', price: '#10.5' },
        { sku: 'B', price: '#2' },
      ],
    });
  });

  it('renames through maps, making maps on the way', () => {
    expect(shape({ include: ['customer.name', 'email'], rename: { 'customer.name': 'buyer.name', email: 'contact' } }).document).toEqual({
      customer: {},
      buyer: { name: 'Ann' },
      contact: 'a@example.com',
    });
  });

  it('swaps names renamed into each other, and never overwrites a value that stays', () => {
    expect(shape({ rename: { a: 'b', b: 'a' } }, { a: 1, b: 2 }).document).toEqual({ a: 2, b: 1 });
    expect(shape({ rename: { a: 'b' } }, { a: 1, b: 2 }).document).toEqual({ a: 1, b: 2 });
    expect(shape({ rename: { a: 'b.c' } }, { a: 1, b: 'text' }).document).toEqual({ a: 1, b: 'text' });
  });

  it('converts declared fields after renaming, through lists', () => {
    expect(shape({ rename: { placedAt: 'placed' }, fields: { placed: 'date', 'lines.price': 'keyword' } }).document).toMatchObject({
      placed: '2023-11-14T22:13:20.000Z',
      lines: [
        { sku: 'A', price: '10.5' },
        { sku: 'B', price: '2' },
      ],
    });
  });

  it('leaves a root attribute whose value does not convert as it was, with the reason', () => {
    const shaped = shape({ fields: { 'customer.card.expiry': 'date', 'customer.name': 'keyword', pk: 'keyword' } });
    expect(shaped.document.customer).toEqual({ name: 'Ann', card: { number: '4111', expiry: '12/30' } });
    expect([...shaped.unconverted]).toEqual([
      ['customer', expect.stringMatching(/^"customer.card.expiry" is declared date: the text "12\/30"/)],
    ]);
  });

  it('keeps attributes named __proto__ as attributes', () => {
    const document = JSON.parse('{"__proto__": {"x": 1}, "keep": 1}') as LosslessObject;
    const shaped = shapeDocument(documentShape({ include: ['__proto__'], rename: { '__proto__.x': 'y' } }), document).document;
    expect(Object.keys(shaped)).toEqual(['__proto__', 'y']);
    expect(Object.getPrototypeOf(shaped)).toBe(Object.prototype);
  });
});
