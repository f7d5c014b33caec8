/**
 * Whether a mirror document holds exactly the item the table holds: numbers compared by value
 * with every digit (1.50 is 1.5, 1E+2 is 100), sets in any order, everything else as it is. The
 * table's item (DynamoDB JSON) says which values are sets and numbers.
 */
import { isLosslessNumber } from 'lossless-json';
import type { AttributeMap, AttributeValue } from './change-record';

/** A number's canonical text: its significant digits and a power of ten (1.50, 1.5 and 15E-1 are `15e-1`). */
export function canonicalNumber(text: string): string {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!match) return `not a number: ${text}`;
  const [, sign, integer = '', fraction = '', exponent = '0'] = match;
  let digits = `${integer}${fraction}`.replace(/^0+/, '');
  if (digits === '') return '0';
  let power = Number(exponent) - fraction.length;
  const trailing = /0*$/.exec(digits)![0].length;
  digits = digits.slice(0, digits.length - trailing);
  power += trailing;
  return `${sign === '-' ? '-' : ''}${digits}e${power}`;
}

/** The canonical text of a table item. */
export function canonicalItem(item: AttributeMap): string {
  return JSON.stringify(canonicalMap(item));
}

/** The canonical text of a mirror document's item (parsed with lossless-json), read as the table's item says. */
export function canonicalMirrorItem(mirrored: Record<string, unknown>, guide: AttributeMap): string {
  return JSON.stringify(guidedMap(mirrored, guide));
}

function canonicalMap(map: AttributeMap): [string, unknown][] {
  return Object.keys(map)
    .sort()
    .map((name) => [name, canonicalValue(map[name])]);
}

function canonicalValue(value: AttributeValue): unknown {
  if (value.N !== undefined) return { n: canonicalNumber(value.N) };
  if (value.NS !== undefined) return value.NS.map((n) => canonicalNumber(n)).sort();
  if (value.SS !== undefined) return [...value.SS].sort();
  if (value.BS !== undefined) return (value.BS as unknown[]).map(base64).sort();
  if (value.B !== undefined) return base64(value.B);
  if (value.M !== undefined) return canonicalMap(value.M as AttributeMap);
  if (value.L !== undefined) return (value.L as AttributeValue[]).map(canonicalValue);
  if (value.NULL !== undefined) return null;
  if (value.BOOL !== undefined) return value.BOOL;
  return value.S;
}

function guidedMap(mirrored: Record<string, unknown>, guide: AttributeMap): [string, unknown][] {
  return Object.keys(mirrored)
    .sort()
    .map((name) => [name, Object.hasOwn(guide, name) ? guidedValue(mirrored[name], guide[name]) : { unexpected: String(mirrored[name]) }]);
}

/** The mirror's plain value in the canonical shape of the table's typed value; a shape that does not fit stays visibly different. */
function guidedValue(value: unknown, guide: AttributeValue): unknown {
  if (guide.N !== undefined) return isLosslessNumber(value) ? { n: canonicalNumber(value.value) } : { notANumber: String(value) };
  if (guide.NS !== undefined)
    return Array.isArray(value)
      ? value.map((n) => (isLosslessNumber(n) ? canonicalNumber(n.value) : `?${String(n)}`)).sort()
      : { notASet: true };
  if (guide.SS !== undefined || guide.BS !== undefined) return Array.isArray(value) ? [...value].map(String).sort() : { notASet: true };
  if (guide.M !== undefined)
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? guidedMap(value as Record<string, unknown>, guide.M as AttributeMap)
      : { notAMap: true };
  if (guide.L !== undefined) {
    const list = guide.L as AttributeValue[];
    return Array.isArray(value) && value.length === list.length
      ? value.map((element, position) => guidedValue(element, list[position]))
      : { notTheList: true };
  }
  return isLosslessNumber(value) ? { unexpectedNumber: value.value } : value;
}

function base64(value: unknown): string {
  return value instanceof Uint8Array ? Buffer.from(value).toString('base64') : String(value);
}
