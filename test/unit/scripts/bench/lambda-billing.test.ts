import { lambdaCostPerMillion, LAMBDA_PRICES, storagePerMillion } from '../../../../scripts/bench/lambda-billing';

describe('cost per million changes', () => {
  it('bills one invocation per batch, its duration rounded up to the millisecond, at the memory given', () => {
    // 10,000 invocations of 12.3 ms (billed 13 ms) at 512 MB: 10,000 × 0.013 s × 0.5 GB = 65 GB-s.
    const cost = lambdaCostPerMillion(100, 12.3, 512);
    expect(cost.invocations).toBe(10_000);
    expect(cost.gbSeconds).toBeCloseTo(65, 10);
    expect(cost.compute).toBeCloseTo(65 * LAMBDA_PRICES.perGbSecond, 12);
    expect(cost.requests).toBeCloseTo(0.01 * LAMBDA_PRICES.perMillionRequests, 12);
  });

  it('counts a last, partial batch as an invocation of its own', () => {
    expect(lambdaCostPerMillion(3, 1).invocations).toBe(333_334);
  });

  it('scales GB-seconds with the memory and falls with bigger batches of the same time per record', () => {
    expect(lambdaCostPerMillion(1000, 100, 1024).gbSeconds).toBeCloseTo(2 * lambdaCostPerMillion(1000, 100, 512).gbSeconds, 10);
    expect(lambdaCostPerMillion(1000, 1000).requests).toBeLessThan(lambdaCostPerMillion(100, 100).requests);
  });

  it('refuses a batch without records, saying what it got', () => {
    expect(() => lambdaCostPerMillion(0, 10)).toThrow('size 0');
  });

  it('turns bytes per change into GB per million changes', () => {
    expect(storagePerMillion(1500)).toBe(1.5);
  });
});
