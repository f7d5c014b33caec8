/**
 * The plain JSON we promise for DynamoDB values, written independently of the code under test,
 * and parsed JSON brought into the same shape: numbers as their exact text, keys sorted.
 */
import { isLosslessNumber } from 'lossless-json';
import type { AttributeMap, AttributeValue } from '../../lambda/core/change-record';
import { toJsonNumberText } from '../../lambda/core/lossless-json';

export function expectedPlain(value: AttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return { number: toJsonNumberText(value.N) };
  if (value.B !== undefined) return value.B;
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.M !== undefined) return sortedEntries(Object.entries(value.M).map(([k, v]) => [k, expectedPlain(v)]));
  if (value.L !== undefined) return value.L.map(expectedPlain);
  if (value.SS !== undefined) return value.SS;
  if (value.NS !== undefined) return value.NS.map((n) => ({ number: toJsonNumberText(n) }));
  return value.BS;
}

/** @param sortArrays compare lists of scalars as sets (an engine may reorder a set). */
export function expectedItem(image: AttributeMap, sortArrays = false): unknown {
  return canonical(expectedPlain({ M: image } as AttributeValue), sortArrays);
}

/** Parsed JSON (lossless-json's `parse`) in the canonical shape. */
export function canonical(value: unknown, sortArrays = false): unknown {
  if (isLosslessNumber(value)) return { number: value.value };
  if (isNumberText(value)) return value;
  if (Array.isArray(value)) {
    const items = value.map((item) => canonical(item, sortArrays));
    return sortArrays && items.every((item) => item === null || typeof item !== 'object' || isNumberText(item))
      ? items.sort(byJson)
      : items;
  }
  if (value !== null && typeof value === 'object')
    return sortedEntries(Object.entries(value).map(([k, v]) => [k, canonical(v, sortArrays)]));
  return value;
}

function isNumberText(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    typeof (value as { number?: unknown }).number === 'string'
  );
}

function sortedEntries(entries: [string, unknown][]): [string, unknown][] {
  return entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function byJson(a: unknown, b: unknown): number {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
