/** The names of each mirror's indexes and templates, and the pipeline's patterns over every mirror. */
import {
  everyIndexTemplateName,
  indexPatterns,
  mirrorAliases,
  mirrorIndexNames,
  mirrorTemplateNames,
  type IndexNames,
} from '../../../lambda/settings';

const NAMES: IndexNames = { changeLog: 'dynamodb-cdc', mirror: 'test-table', deadLetter: 'dynamodb-cdc-deadletter' };

describe('index names of several mirrors', () => {
  it('give each mirror its alias, backing index and tombstones', () => {
    expect(mirrorIndexNames('orders')).toEqual({ alias: 'orders', backing: 'orders-v1', tombstones: 'orders-tombstones' });
  });

  it('keep the one-mirror patterns as they were when no mirrors are given', () => {
    expect(indexPatterns(NAMES)).toEqual([
      'dynamodb-cdc',
      'dynamodb-cdc-*',
      'test-table',
      'test-table-v1',
      'test-table-tombstones',
      'dynamodb-cdc-deadletter',
    ]);
    expect(indexPatterns(NAMES, [NAMES.mirror])).toEqual(indexPatterns(NAMES));
  });

  it('cover every mirror, and not the mirrorIndex setting when the mirrors do not list it', () => {
    const patterns = indexPatterns(NAMES, ['users', 'orders']);
    expect(patterns).toEqual([
      'dynamodb-cdc',
      'dynamodb-cdc-*',
      'users',
      'users-v1',
      'users-tombstones',
      'orders',
      'orders-v1',
      'orders-tombstones',
      'dynamodb-cdc-deadletter',
    ]);
    expect(patterns.some((pattern) => pattern.startsWith('test-table'))).toBe(false);
  });

  it('name every template: the change log two, each mirror two, the dead letters', () => {
    expect(everyIndexTemplateName(NAMES)).toEqual([
      'cdc-change-log-partitions-dynamodb-cdc',
      'cdc-change-log-dynamodb-cdc',
      'cdc-mirror-test-table',
      'cdc-tombstones-test-table',
      'cdc-dead-letter-dynamodb-cdc-deadletter',
    ]);
    expect(everyIndexTemplateName(NAMES, ['users', 'orders'])).toEqual([
      'cdc-change-log-partitions-dynamodb-cdc',
      'cdc-change-log-dynamodb-cdc',
      ...Object.values(mirrorTemplateNames('users')),
      ...Object.values(mirrorTemplateNames('orders')),
      'cdc-dead-letter-dynamodb-cdc-deadletter',
    ]);
  });

  it('take the aliases from the settings: the routed mirrors, else mirrorIndex', () => {
    expect(mirrorAliases({ indexes: NAMES })).toEqual(['test-table']);
    expect(mirrorAliases({ indexes: NAMES, routing: { changeLog: { exclude: ['ssn'] } } })).toEqual(['test-table']);
    expect(mirrorAliases({ indexes: NAMES, routing: { mirrors: [{ index: 'users' }, { index: 'orders' }], changeLog: {} } })).toEqual([
      'users',
      'orders',
    ]);
  });
});
