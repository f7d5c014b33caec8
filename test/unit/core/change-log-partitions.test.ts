import {
  changeLogPartition,
  changeLogPartitionPattern,
  partitionDay,
  partitionPatternCatches,
} from '../../../lambda/core/change-log-partitions';

describe('change-log partition names', () => {
  it.each([
    ['2026-11-27T00:00:00.000Z', 'dynamodb-cdc-2026.11.27'],
    ['2026-11-27T23:59:59.999Z', 'dynamodb-cdc-2026.11.27'],
    ['2026-11-28T00:00:00.000Z', 'dynamodb-cdc-2026.11.28'],
    // 08:30 in Tokyo is still the previous day in UTC: the day is always UTC's.
    ['2026-11-28T08:30:00+09:00', 'dynamodb-cdc-2026.11.27'],
    ['2024-02-29T12:00:00Z', 'dynamodb-cdc-2024.02.29'],
    ['2026-12-31T23:59:59Z', 'dynamodb-cdc-2026.12.31'],
    ['2027-01-01T00:00:00Z', 'dynamodb-cdc-2027.01.01'],
  ])('puts a change created at %s in %s', (createdAt, partition) => {
    expect(changeLogPartition('dynamodb-cdc', new Date(createdAt))).toBe(partition);
  });

  it('reads back the day of exactly the names it makes', () => {
    expect(partitionDay('dynamodb-cdc', 'dynamodb-cdc-2026.11.27')).toEqual(new Date('2026-11-27T00:00:00Z'));
    for (const other of [
      'dynamodb-cdc',
      'dynamodb-cdc-deadletter',
      'dynamodb-cdc-2026.02.30',
      'dynamodb-cdc-2026.1.27',
      'dynamodb-cdc-2026.11.27-x',
      'dynamodb-cdc-x-2026.11.27',
      'other-2026.11.27',
      'dynamodb-cdc-archive',
    ]) {
      expect(partitionDay('dynamodb-cdc', other)).toBeUndefined();
    }
  });

  it('shapes the partitions with a pattern that spares the default dead-letter index', () => {
    expect(changeLogPartitionPattern('dynamodb-cdc')).toBe('dynamodb-cdc-*.*.*');
    expect(partitionPatternCatches('dynamodb-cdc', 'dynamodb-cdc-2026.11.27')).toBe(true);
    expect(partitionPatternCatches('dynamodb-cdc', 'dynamodb-cdc-a.b.c')).toBe(true);
    expect(partitionPatternCatches('dynamodb-cdc', 'dynamodb-cdc-deadletter')).toBe(false);
    expect(partitionPatternCatches('dynamodb-cdc', 'dynamodb-cdc')).toBe(false);
    expect(partitionPatternCatches('dynamodb-cdc', 'dynamodb-cdcx-2026.11.27')).toBe(false);
  });
});
