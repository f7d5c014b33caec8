import fc from 'fast-check';
import { figure, pairedRatios, percentiles, quantile, summarize } from '../../../../scripts/bench/stats';

describe('bench statistics', () => {
  it('takes the median of an odd count as its middle value, of an even count as the mean of the middle two', () => {
    expect(summarize([5, 1, 3]).median).toBe(3);
    expect(summarize([4, 1, 3, 2]).median).toBe(2.5);
  });

  it('spreads a figure by its quartiles and extremes, whatever order the values came in', () => {
    expect(summarize([9, 1, 5, 3, 7])).toEqual({ n: 5, median: 5, p25: 3, p75: 7, min: 1, max: 9 });
  });

  it('interpolates percentiles between the two nearest ranks', () => {
    const values = Array.from({ length: 101 }, (_, i) => i); // 0..100: the p-th percentile is p
    expect(percentiles(values, [50, 95, 99])).toEqual({ p50: 50, p95: 95, p99: 99 });
    expect(quantile([10, 20], 0.99)).toBeCloseTo(19.9);
    expect(percentiles([7], [50, 99])).toEqual({ p50: 7, p99: 7 });
  });

  it('keeps every quantile between the smallest and the largest value, rising with q', () => {
    fc.assert(
      fc.property(
        fc.array(
          // Durations: -0 is no figure (and toBe tells it from 0).
          fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }).map((value) => value + 0),
          { minLength: 1 },
        ),
        (values) => {
          const sorted = [...values].sort((a, b) => a - b);
          const qs = [0, 0.25, 0.5, 0.95, 0.99, 1].map((q) => quantile(sorted, q));
          expect(qs[0]).toBe(sorted[0]);
          expect(qs[qs.length - 1]).toBe(sorted[sorted.length - 1]);
          for (let i = 1; i < qs.length; i++) expect(qs[i]).toBeGreaterThanOrEqual(qs[i - 1]);
        },
      ),
    );
  });

  it('refuses to summarise no values, or values that are not numbers, saying why', () => {
    expect(() => summarize([])).toThrow('at least one');
    expect(() => summarize([1, NaN])).toThrow('not a number');
    expect(() => quantile([1], 1.5)).toThrow('between 0 and 1');
  });

  it('takes ratios pair by pair, not between medians', () => {
    // Medians 20 / 10 = 2, but the pairs say 1, 4 and 1: the paired median is 1.
    expect(pairedRatios([10, 40, 20], [10, 10, 20])).toEqual([1, 4, 1]);
    expect(figure('ratio', 'ratio', pairedRatios([10, 40, 20], [10, 10, 20])).median).toBe(1);
    expect(() => pairedRatios([1, 2], [1])).toThrow('as many values');
  });
});
