import { wholeNumberFlag } from '../../../../cli/deployment';

describe('wholeNumberFlag', () => {
  it('reads a whole number in its range, and nothing when the flag is not given', () => {
    expect(wholeNumberFlag('--interval', '300')).toBe(300);
    expect(wholeNumberFlag('--segments', '10000', { max: 10_000 })).toBe(10_000);
    expect(wholeNumberFlag('--sample', undefined)).toBeUndefined();
  });

  it.each(['abc', '-5', '0', '1.5', '', '1e3', '20001'])('refuses %j, naming the flag, the value and the range', (value) => {
    expect(() => wholeNumberFlag('--interval', value, { max: 20_000 })).toThrow(
      `--interval must be a whole number from 1 to 20,000, got ${JSON.stringify(value)}`,
    );
  });
});
