import { planPartitionRetention } from '../../../lambda/core/partition-retention';

const NOW = new Date('2026-11-27T00:30:00Z');
const days = (...dates: string[]) => dates.map((date) => `dynamodb-cdc-${date}`);

describe('partition retention', () => {
  it('expires partitions older than the retention, oldest first, and keeps the rest', () => {
    const plan = planPartitionRetention('dynamodb-cdc', days('2026.11.27', '2026.11.19', '2026.11.20', '2026.11.26', '2026.10.01'), NOW, 7);
    expect(plan.expired).toEqual(days('2026.10.01', '2026.11.19'));
    expect(plan.kept).toEqual(days('2026.11.20', '2026.11.26', '2026.11.27'));
  });

  it("never expires today's or yesterday's partition, even with a retention of one day", () => {
    const plan = planPartitionRetention('dynamodb-cdc', days('2026.11.27', '2026.11.26', '2026.11.25'), NOW, 1);
    expect(plan.expired).toEqual(days('2026.11.25'));
  });

  it('keeps everything with retention 0', () => {
    expect(planPartitionRetention('dynamodb-cdc', days('2000.01.01', '2026.11.27'), NOW, 0).expired).toEqual([]);
  });

  it('keeps partitions dated after today (a clock ahead)', () => {
    expect(planPartitionRetention('dynamodb-cdc', days('2026.11.29'), NOW, 1).kept).toEqual(days('2026.11.29'));
  });

  it('ignores every name that is not exactly a partition of this change log', () => {
    const others = [
      'dynamodb-cdc',
      'dynamodb-cdc-deadletter',
      'dynamodb-cdc-archive',
      'dynamodb-cdc-2020.02.30',
      'dynamodb-cdc-2020.01.01.bak',
      'dynamodb-cdc-x-2020.01.01',
      'test-table-v1',
      'other-2020.01.01',
    ];
    expect(planPartitionRetention('dynamodb-cdc', others, NOW, 1)).toEqual({ expired: [], kept: [] });
  });
});
