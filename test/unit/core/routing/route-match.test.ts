import type { AttributeMap } from '../../../../lambda/core';
import { matchedAttributes, matches, type RouteMatch } from '../../../../lambda/core/routing';

const user: AttributeMap = {
  pk: { S: 'USER#1' },
  type: { S: 'user' },
  age: { N: '42.0' },
  active: { BOOL: true },
  nickname: { NULL: true },
  address: { M: { country: { S: 'JP' } } },
  'a.b': { S: 'dotted' },
  tags: { SS: ['user'] },
};

describe('match', () => {
  it.each<[string, RouteMatch, boolean]>([
    ['text equal', { attribute: 'type', equals: 'user' }, true],
    ['text unequal', { attribute: 'type', equals: 'admin' }, false],
    ['a number by its exact value (42 = 42.0)', { attribute: 'age', equals: 42 }, true],
    ['a number is not text', { attribute: 'age', equals: '42.0' }, false],
    ['text is not a number', { attribute: 'type', equals: 0 }, false],
    ['a boolean', { attribute: 'active', equals: true }, true],
    ['null with NULL', { attribute: 'nickname', equals: null }, true],
    ['null is not a missing attribute', { attribute: 'missing', equals: null }, false],
    ['a path into a map', { attribute: 'address.country', equals: 'JP' }, true],
    ['a path through something that is not a map', { attribute: 'type.x', equals: 'user' }, false],
    ['an escaped dot: the attribute named a.b', { attribute: 'a\\.b', equals: 'dotted' }, true],
    ['a prefix', { attribute: 'pk', beginsWith: 'USER#' }, true],
    ['another prefix', { attribute: 'pk', beginsWith: 'ORDER#' }, false],
    ['a prefix of a number is no match', { attribute: 'age', beginsWith: '4' }, false],
    ['a set never equals text', { attribute: 'tags', equals: 'user' }, false],
    [
      'any: one holds',
      {
        any: [
          { attribute: 'type', equals: 'admin' },
          { attribute: 'type', equals: 'user' },
        ],
      },
      true,
    ],
    [
      'any: none holds',
      {
        any: [
          { attribute: 'type', equals: 'admin' },
          { attribute: 'pk', beginsWith: 'ORDER#' },
        ],
      },
      false,
    ],
    [
      'all: every one holds',
      {
        all: [
          { attribute: 'type', equals: 'user' },
          { attribute: 'pk', beginsWith: 'USER#' },
        ],
      },
      true,
    ],
    [
      'all: one fails',
      {
        all: [
          { attribute: 'type', equals: 'user' },
          { attribute: 'active', equals: false },
        ],
      },
      false,
    ],
    [
      'nested',
      {
        all: [
          {
            any: [
              { attribute: 'age', equals: 1 },
              { attribute: 'age', equals: 4.2e1 },
            ],
          },
        ],
      },
      true,
    ],
  ])('%s', (_, match, expected) => {
    expect(matches(match, user)).toBe(expected);
  });

  it('holds for every item when absent', () => {
    expect(matches(undefined, {})).toBe(true);
  });

  it('reads an attribute named __proto__ as an attribute, never the prototype', () => {
    const image = JSON.parse('{"__proto__": {"S": "x"}}') as AttributeMap;
    expect(matches({ attribute: '__proto__', equals: 'x' }, image)).toBe(true);
    expect(matches({ attribute: 'constructor', beginsWith: '' }, {})).toBe(false);
  });

  it('names every attribute it reads', () => {
    expect(matchedAttributes({ any: [{ attribute: 'a', equals: 1 }, { all: [{ attribute: 'b.c', beginsWith: 'x' }] }] })).toEqual([
      'a',
      'b.c',
    ]);
  });
});
