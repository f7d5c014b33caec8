/**
 * The templates and indexes of several mirrors: each mirror its backing index, alias and
 * tombstones, its declared fields typed in its mapping beside the dynamic mapping and `_cdc`.
 */
import { DECLARED_DATE_FORMAT, declaredFieldProperties } from '../../../lambda/adapters/opensearch/declared-fields';
import { concreteIndexes, indexTemplates } from '../../../lambda/adapters/opensearch/index-templates';
import type { MirrorRoute } from '../../../lambda/core';
import type { IndexNames } from '../../../lambda/settings';

const NAMES: IndexNames = { changeLog: 'dynamodb-cdc', mirror: 'test-table', deadLetter: 'dynamodb-cdc-deadletter' };
const example: MirrorRoute[] = require('../../../examples/single-table.json').mirrors;

type Body = { index_patterns: string[]; template: { mappings: { properties: Record<string, any> }; aliases?: object } };
const byName = (mirrors?: readonly MirrorRoute[]) =>
  Object.fromEntries(indexTemplates(NAMES, { mirrors }).map((template) => [template.name, template.body as Body]));

describe('the templates of several mirrors', () => {
  it('are, for no mirrors given, those of the one mirror mirrorIndex', () => {
    expect(indexTemplates(NAMES)).toEqual(indexTemplates(NAMES, { mirrors: [{ index: NAMES.mirror }] }));
    expect(Object.keys(byName())).toEqual([
      'cdc-change-log-dynamodb-cdc',
      'cdc-mirror-test-table',
      'cdc-tombstones-test-table',
      'cdc-dead-letter-dynamodb-cdc-deadletter',
    ]);
  });

  it('shape each mirror: its backing index under its alias, and its tombstones', () => {
    const templates = byName(example);
    for (const alias of ['users', 'orders', 'order-items']) {
      expect(templates[`cdc-mirror-${alias}`].index_patterns).toEqual([`${alias}-v1`]);
      expect(templates[`cdc-mirror-${alias}`].template.aliases).toEqual({ [alias]: { is_write_index: true } });
      expect(templates[`cdc-tombstones-${alias}`].index_patterns).toEqual([`${alias}-tombstones`]);
    }
    expect(templates['cdc-mirror-test-table']).toBeUndefined();
  });

  it('map the declared fields of each mirror beside _cdc, and only its own', () => {
    const templates = byName(example);
    const users = templates['cdc-mirror-users'].template.mappings.properties;
    expect(users.createdAt).toEqual({ type: 'date', format: DECLARED_DATE_FORMAT });
    expect(users.email).toMatchObject({ type: 'keyword' });
    expect(users._cdc.properties.sequence_number).toEqual({ type: 'keyword' });
    const items = templates['cdc-mirror-order-items'].template.mappings.properties;
    expect(Object.keys(items).sort()).toEqual(['_cdc', 'price', 'quantity']);
    expect(items.quantity).toEqual({ type: 'long' });
    expect(items.price).toEqual({ type: 'double' });
  });

  it('create each mirror its backing index and tombstones, between the change log and the dead letters', () => {
    expect(concreteIndexes(NAMES, { mirrors: example })).toEqual([
      'dynamodb-cdc',
      'users-v1',
      'users-tombstones',
      'staff-v1',
      'staff-tombstones',
      'orders-v1',
      'orders-tombstones',
      'order-items-v1',
      'order-items-tombstones',
      'dynamodb-cdc-deadletter',
    ]);
    expect(concreteIndexes(NAMES)).toEqual(['dynamodb-cdc', 'test-table-v1', 'test-table-tombstones', 'dynamodb-cdc-deadletter']);
  });
});

describe('declared fields as mappings', () => {
  it('map every type, dates taking ISO 8601 text and epoch milliseconds', () => {
    expect(
      declaredFieldProperties({
        at: 'date',
        code: 'keyword',
        note: 'text',
        count: 'long',
        price: 'double',
        open: 'boolean',
        where: 'geo_point',
      }),
    ).toEqual({
      at: { type: 'date', format: 'strict_date_optional_time||epoch_millis' },
      code: { type: 'keyword', ignore_above: 8191 },
      note: { type: 'text' },
      count: { type: 'long' },
      price: { type: 'double' },
      open: { type: 'boolean' },
      where: { type: 'geo_point' },
    });
  });

  it('nest dotted paths as objects, siblings together', () => {
    expect(declaredFieldProperties({ 'address.city': 'keyword', 'address.geo.at': 'geo_point', 'address.since': 'date' })).toEqual({
      address: {
        properties: {
          city: { type: 'keyword', ignore_above: 8191 },
          geo: { properties: { at: { type: 'geo_point' } } },
          since: { type: 'date', format: DECLARED_DATE_FORMAT },
        },
      },
    });
  });

  it('map a name holding a dot as OpenSearch reads it (objects), and __proto__ as a field', () => {
    expect(declaredFieldProperties({ 'a\\.b': 'long' })).toEqual({ a: { properties: { b: { type: 'long' } } } });
    const withProto = declaredFieldProperties(JSON.parse('{"__proto__": "long"}'));
    expect(Object.hasOwn(withProto, '__proto__')).toBe(true);
    expect(JSON.stringify(withProto)).toBe('{"__proto__":{"type":"long"}}');
  });

  it('leave out paths no mapping can hold: reserved roots, names OpenSearch refuses', () => {
    expect(declaredFieldProperties({ _id: 'keyword', '_cdc.x': 'long', 'a\\.': 'long', ok: 'long' })).toEqual({ ok: { type: 'long' } });
  });
});
