/**
 * Ordering by stream sequence number.
 *
 * Sequence numbers are decimal strings of 21 digits and more: they do not fit the 64-bit
 * `version` OpenSearch offers for external versioning. So the mirror stores the full string in
 * its bookkeeping field and the pipeline compares it here, exactly: more digits (after leading
 * zeros) is larger, equal length compares as text.
 */
export function compareSequenceNumbers(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

export function isNewer(candidate: string, current: string | undefined): boolean {
  return current === undefined || compareSequenceNumbers(candidate, current) > 0;
}
