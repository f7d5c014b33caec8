/**
 * Numeric flags, read one way by every command: a bad value is an error naming the flag, the value
 * and what is allowed, before anything is sent.
 */
import { SettingError } from '../../lambda/settings';

/** A whole number from `min` to `max`, when given. */
export function wholeNumberFlag(flag: string, value: string | undefined, range: { min?: number; max?: number } = {}): number | undefined {
  if (value === undefined) return undefined;
  const { min = 1, max = 1_000_000 } = range;
  const number = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max)
    throw new SettingError(flag, `must be a whole number from ${min} to ${max.toLocaleString('en-US')}`, value);
  return number;
}
