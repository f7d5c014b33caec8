/**
 * The statistics of the bench: a figure is every value measured for it (one per repeat, or one
 * per write for the lag), summarised by its median and its spread (quartiles and extremes).
 * Ratios are taken pair by pair, repeat by repeat, never between two medians: the two sides of a
 * pair ran back to back on the same noisy machine.
 */

export interface Summary {
  readonly n: number;
  readonly median: number;
  readonly p25: number;
  readonly p75: number;
  readonly min: number;
  readonly max: number;
}

/** A measured figure: its unit, its values and their summary. */
export interface Figure extends Summary {
  readonly label: string;
  readonly unit: string;
  readonly values: readonly number[];
}

/**
 * The q-quantile (0 to 1) of values sorted ascending, interpolated between the two nearest ranks
 * (the method of most spreadsheets and R's default), so the median of an even count is the mean
 * of the middle two.
 */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('no values: a quantile needs at least one');
  if (!(q >= 0 && q <= 1)) throw new Error(`a quantile is between 0 and 1, not ${q}`);
  const rank = (sorted.length - 1) * q;
  const below = Math.floor(rank);
  const above = Math.ceil(rank);
  return sorted[below] + (sorted[above] - sorted[below]) * (rank - below);
}

export function summarize(values: readonly number[]): Summary {
  const finite = values.filter((value) => Number.isFinite(value));
  if (finite.length !== values.length) throw new Error(`not a number among the values: ${values.join(', ')}`);
  const sorted = [...finite].sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: quantile(sorted, 0.5),
    p25: quantile(sorted, 0.25),
    p75: quantile(sorted, 0.75),
    min: sorted[0],
    max: sorted[sorted.length - 1],
  };
}

/** Percentiles (0 to 100) of values, for distributions such as lags. */
export function percentiles(values: readonly number[], wanted: readonly number[]): Record<string, number> {
  const sorted = [...values].sort((a, b) => a - b);
  return Object.fromEntries(wanted.map((p) => [`p${p}`, quantile(sorted, p / 100)]));
}

export function figure(label: string, unit: string, values: readonly number[]): Figure {
  return { label, unit, values: [...values], ...summarize(values) };
}

/** `a[i] / b[i]` for each repeat i: the two must come from the same repeats. */
export function pairedRatios(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) throw new Error(`pairs need as many values on each side (${a.length} against ${b.length})`);
  return a.map((value, i) => value / b[i]);
}

/** Mean of values (memory samples, for instance); NaN for none. */
export function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}
