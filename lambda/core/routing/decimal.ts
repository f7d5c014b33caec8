/**
 * Numbers as DynamoDB keeps them (up to 38 digits) compared and converted exactly: a value as its
 * digits and a power of ten, never through a JavaScript number.
 */

/** value = (negative ? -1 : 1) × digits × 10^exponent; digits without leading or trailing zeros, '' for zero. */
export interface Decimal {
  readonly negative: boolean;
  readonly digits: string;
  readonly exponent: number;
}

const NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** DynamoDB's number text, or a JavaScript number's (`1e+21`); undefined when it is not a number. */
export function parseDecimal(text: string): Decimal | undefined {
  const match = NUMBER.exec(text.trim());
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) return undefined;
  const [, sign, integer, fraction = '', exponent = '0'] = match;
  let digits = `${integer}${fraction}`.replace(/^0+/, '');
  let power = Number(exponent) - fraction.length;
  const trailing = /0+$/.exec(digits)?.[0].length ?? 0;
  digits = digits.slice(0, digits.length - trailing);
  power += trailing;
  if (digits === '') return { negative: false, digits: '', exponent: 0 };
  return { negative: sign === '-', digits, exponent: power };
}

/** Equal values, equal keys: `5`, `5.0` and `0.5E1` are one number. */
export function decimalKey(value: Decimal): string {
  return value.digits === '' ? '0' : `${value.negative ? '-' : ''}${value.digits}e${value.exponent}`;
}

export function isWholeNumber(value: Decimal): boolean {
  return value.exponent >= 0;
}

/** The value × 10^shift, rounded towards minus infinity to a whole number. */
export function scaledToBigInt(value: Decimal, shift = 0): bigint {
  if (value.digits === '') return 0n;
  const power = value.exponent + shift;
  let magnitude: bigint;
  let dropped = false;
  if (power >= 0) {
    magnitude = BigInt(value.digits) * 10n ** BigInt(power);
  } else if (-power >= value.digits.length) {
    magnitude = 0n;
    dropped = true;
  } else {
    magnitude = BigInt(value.digits.slice(0, value.digits.length + power));
    dropped = true; // the digits are trimmed of trailing zeros: what is cut off is never zero
  }
  return value.negative ? -magnitude - (dropped ? 1n : 0n) : magnitude;
}

/** The number of digits before the point (its order of magnitude + 1); 0 for zero and for values below 1. */
export function integerDigits(value: Decimal): number {
  return Math.max(0, value.digits.length + value.exponent);
}
