/**
 * A mirror's declared `fields`: each value at a declared path converted to what its type's
 * mapping takes, or left as it is with the reason it cannot be (the mirror document then keeps
 * its root attribute unindexed, see shaped-mirror-document.ts). A list is converted element by
 * element (OpenSearch indexes a list as several values of one field); null stays null.
 */
import { ExactNumber, type LosslessValue } from '../lossless-json';
import { isoText, instantOfEpoch, instantOfIsoText } from './date-value';
import { integerDigits, isWholeNumber, parseDecimal, scaledToBigInt } from './decimal';
import type { FieldType } from './route';

export type Conversion = { readonly value: LosslessValue } | { readonly problem: string };

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** The value as its field's type takes it, or why it cannot be. */
export function convertField(type: FieldType, value: LosslessValue): Conversion {
  if (value === null) return { value };
  if (Array.isArray(value) && !(type === 'geo_point' && isCoordinatePair(value))) {
    const converted: LosslessValue[] = [];
    for (const element of value) {
      const conversion = convertField(type, element);
      if ('problem' in conversion) return conversion;
      converted.push(conversion.value);
    }
    return { value: converted };
  }
  return CONVERTERS[type](value);
}

const CONVERTERS: Record<FieldType, (value: LosslessValue) => Conversion> = {
  date: (value) => {
    const text = numberText(value);
    const instant = text !== undefined ? instantOfEpoch(text) : typeof value === 'string' ? instantOfIsoText(value) : undefined;
    if (instant === undefined) return refuse(value, 'ISO 8601 text or an epoch number');
    return typeof instant === 'string' ? { problem: `${describe(value)}: ${instant}` } : { value: isoText(instant) };
  },
  long: (value) => {
    const text = numberText(value) ?? numericText(value);
    const decimal = text === undefined ? undefined : parseDecimal(text);
    if (decimal === undefined || !isWholeNumber(decimal)) return refuse(value, 'a whole number');
    // Past 19 digits it is out of range: said before the digits are made (`1e2000000000` would take minutes, or throw).
    if (integerDigits(decimal) > 19) return { problem: `${describe(value)} is outside -2^63..2^63-1` };
    const whole = scaledToBigInt(decimal);
    if (whole < LONG_MIN || whole > LONG_MAX) return { problem: `${describe(value)} is outside -2^63..2^63-1` };
    return { value: new ExactNumber(whole.toString()) };
  },
  double: (value) => {
    const text = numberText(value) ?? numericText(value);
    if (text === undefined) return refuse(value, 'a number');
    if (!Number.isFinite(Number(text))) return { problem: `${describe(value)} is beyond a double's range` };
    return { value: new ExactNumber(text) };
  },
  boolean: (value) => {
    if (typeof value === 'boolean') return { value };
    if (value === 'true' || value === 'false') return { value: value === 'true' };
    return refuse(value, 'true or false (or that text)');
  },
  keyword: asText,
  text: asText,
  geo_point: (value) => {
    const point = geoPoint(value);
    if (point === undefined) return refuse(value, '{"lat","lon"}, "lat,lon" text or [lon, lat]');
    const [lat, lon] = point;
    if (Math.abs(Number(lat)) > 90 || Math.abs(Number(lon)) > 180)
      return { problem: `${describe(value)} is off the globe (latitude -90..90, longitude -180..180)` };
    return { value: { lat: new ExactNumber(lat), lon: new ExactNumber(lon) } };
  },
};

function refuse(value: LosslessValue, wanted: string): Conversion {
  return { problem: `${describe(value)} is not ${wanted}` };
}

function asText(value: LosslessValue): Conversion {
  if (typeof value === 'string') return { value };
  if (typeof value === 'boolean') return { value: String(value) };
  const text = numberText(value);
  return text === undefined ? refuse(value, 'text, a number or a boolean') : { value: text };
}

/** A number's exact text. */
function numberText(value: LosslessValue): string | undefined {
  if (value instanceof ExactNumber) return value.text;
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
}

/** Text that is a number (`"42"`, `" 1.5 "`). */
function numericText(value: LosslessValue): string | undefined {
  return typeof value === 'string' && parseDecimal(value) !== undefined ? value.trim() : undefined;
}

function isCoordinatePair(list: readonly LosslessValue[]): boolean {
  return list.length === 2 && list.every((element) => numberText(element) !== undefined);
}

/** [lat, lon] as number text, from any of the forms a geo_point takes. */
function geoPoint(value: LosslessValue): [string, string] | undefined {
  if (Array.isArray(value)) return isCoordinatePair(value) ? [numberText(value[1])!, numberText(value[0])!] : undefined;
  if (typeof value === 'string') {
    const [lat, lon, extra] = value.split(',').map((part) => part.trim());
    return extra === undefined && lon !== undefined && parseDecimal(lat) && parseDecimal(lon) ? [lat, lon] : undefined;
  }
  if (value === null || typeof value !== 'object' || value instanceof ExactNumber) return undefined;
  const map = value as { readonly [name: string]: LosslessValue };
  const lat = Object.hasOwn(map, 'lat') ? (numberText(map.lat) ?? numericText(map.lat)) : undefined;
  const lon = Object.hasOwn(map, 'lon') ? (numberText(map.lon) ?? numericText(map.lon)) : undefined;
  return lat !== undefined && lon !== undefined && Object.keys(map).length === 2 ? [lat, lon] : undefined;
}

/** A value as a reason names it: short, typed. */
function describe(value: LosslessValue): string {
  if (value instanceof ExactNumber) return `the number ${value.text}`;
  if (typeof value === 'string') return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `the boolean ${value}`;
  if (Array.isArray(value)) return 'a list';
  return 'a map';
}
