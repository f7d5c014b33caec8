import { alternate, resultsText, rotated } from '../../../../scripts/bench/runner';

describe('bench runner', () => {
  it('runs every side once a repeat, each repeat starting with another side', async () => {
    const order: string[] = [];
    const side = (name: string) => async () => {
      order.push(name);
      return order.length;
    };
    const values = await alternate(3, { a: side('a'), b: side('b'), c: side('c') });
    expect(order).toEqual(['a', 'b', 'c', 'b', 'c', 'a', 'c', 'a', 'b']);
    expect(values).toEqual({ a: [1, 6, 8], b: [2, 4, 9], c: [3, 5, 7] });
    expect(rotated([], 2)).toEqual([]);
  });

  it('writes results that read back the same, each list of numbers on one line', () => {
    const results = { figure: { values: [1, -2.5, 3e-7, 1.5e21], label: 'x' }, names: ['a', 'b'], none: [] };
    const text = resultsText(results);
    expect(JSON.parse(text)).toEqual(results);
    expect(text).toContain('"values": [1, -2.5, 3e-7, 1.5e+21]');
  });
});
