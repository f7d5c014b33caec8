/**
 * Values of a `date` field: ISO 8601 text, or epoch numbers in seconds or milliseconds, all
 * written as one ISO 8601 form, UTC: `2024-01-31T12:00:00.000Z` (more fraction digits when the
 * value has them, up to nanoseconds, so nothing given is lost).
 *
 * Seconds and milliseconds are told apart by magnitude: below 10^11 (in seconds the year 5138, in
 * milliseconds March 1973) a number is seconds, else milliseconds. Text is read in ISO 8601's
 * extended form: a date (`2024-01-31`), or a date and time (`T` or a space between) with optional
 * seconds, fraction (up to 9 digits) and zone (`Z`, `+09:00`, `+0900`, `+09`); without a zone it
 * is UTC, as OpenSearch reads it. Years 0000 to 9999 only (four digits, as OpenSearch's format).
 */
import { integerDigits, parseDecimal, scaledToBigInt } from './decimal';

/** A moment: whole seconds since the epoch and nanoseconds into that second. */
export interface Instant {
  readonly seconds: number;
  readonly nanos: number;
}

/** Below 10^11 (12 digits before the point) an epoch number is seconds; from it on, milliseconds. */
const MILLISECONDS_FROM_DIGITS = 12;

/** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z, in epoch seconds. */
const FIRST_SECOND = -62_167_219_200;
const LAST_SECOND = 253_402_300_799;

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** ISO 8601 text → the moment, or why it is none. */
export function instantOfIsoText(text: string): Instant | string {
  const match = ISO.exec(text.trim());
  if (!match) return 'not ISO 8601 text (such as 2024-01-31 or 2024-01-31T12:00:00Z)';
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', zone = 'Z'] = match;
  const date = new Date(0);
  date.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  if (date.getUTCMonth() !== Number(month) - 1 || date.getUTCDate() !== Number(day))
    return `${year}-${month}-${day} is not a day of the calendar`;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return `${hour}:${minute}:${second} is not a time of day`;
  const offset = zoneOffsetSeconds(zone);
  if (offset === undefined) return `${zone} is not a time zone offset`;
  date.setUTCHours(Number(hour), Number(minute), Number(second), 0);
  return checkedInstant(date.getTime() / 1000 - offset, Number(fraction.padEnd(9, '0')));
}

/** Seconds east of UTC. */
function zoneOffsetSeconds(zone: string): number | undefined {
  if (zone === 'Z' || zone === 'z') return 0;
  const [, sign, hours, minutes = '00'] = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone) ?? [];
  if (sign === undefined || Number(hours) > 23 || Number(minutes) > 59) return undefined;
  return (sign === '-' ? -1 : 1) * (Number(hours) * 3600 + Number(minutes) * 60);
}

/** An epoch number (its exact text) → the moment, seconds or milliseconds by magnitude; or why it is none. */
export function instantOfEpoch(numberText: string): Instant | string {
  const value = parseDecimal(numberText);
  if (value === undefined) return 'not a number';
  const milliseconds = integerDigits(value) >= MILLISECONDS_FROM_DIGITS;
  // Years past 9999 in any unit: said before the digits are made (`1e2000000000` would take minutes, or throw).
  if (integerDigits(value) > 16) return outOfRange(milliseconds);
  const nanos = scaledToBigInt(value, milliseconds ? 6 : 9);
  const seconds = nanos / 1_000_000_000n - (nanos % 1_000_000_000n < 0n ? 1n : 0n);
  const rest = Number(nanos - seconds * 1_000_000_000n);
  if (seconds < BigInt(FIRST_SECOND) || seconds > BigInt(LAST_SECOND)) return outOfRange(milliseconds);
  return checkedInstant(Number(seconds), rest);
}

function outOfRange(milliseconds: boolean): string {
  return `as epoch ${milliseconds ? 'milliseconds' : 'seconds'} it falls outside the years 0000-9999`;
}

function checkedInstant(seconds: number, nanos: number): Instant | string {
  if (seconds < FIRST_SECOND || seconds > LAST_SECOND) return 'it falls outside the years 0000-9999 (in UTC)';
  return { seconds, nanos };
}

/** The moment as ISO 8601, UTC, with at least milliseconds and every nanosecond given. */
export function isoText(instant: Instant): string {
  const whole = new Date(instant.seconds * 1000).toISOString().slice(0, 19);
  const fraction = String(instant.nanos).padStart(9, '0').replace(/0+$/, '').padEnd(3, '0');
  return `${whole}.${fraction}Z`;
}
