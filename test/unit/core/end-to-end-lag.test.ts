import { endToEndLagMs } from '../../../lambda/core/end-to-end-lag';
import { insertRecord } from '../../support/stream-records';

const item = { id: { S: 'a' } };

describe('end-to-end lag', () => {
  it("is now minus the batch's oldest creation time, in milliseconds", () => {
    const records = [
      insertRecord(item, { at: 1_704_110_405 }),
      insertRecord(item, { at: 1_704_110_400 }),
      insertRecord(item, { at: 1_704_110_410 }),
    ];
    expect(endToEndLagMs(records, new Date(1_704_110_412_500))).toBe(12_500);
  });

  it('reads creation times given as Dates (records read back from the stream)', () => {
    const record = { dynamodb: { ApproximateCreationDateTime: new Date('2024-01-01T12:00:00Z') } };
    expect(endToEndLagMs([record], new Date('2024-01-01T12:00:03Z'))).toBe(3000);
  });

  it('is undefined when no record carries a creation time (manual invokes)', () => {
    expect(endToEndLagMs([{ eventName: 'INSERT', dynamodb: { Keys: item } }], new Date())).toBeUndefined();
    expect(endToEndLagMs([], new Date())).toBeUndefined();
  });

  it('is never negative when the clock is behind the stream', () => {
    expect(endToEndLagMs([insertRecord(item, { at: 2_000_000_000 })], new Date(1_000_000_000_000))).toBe(0);
  });
});
