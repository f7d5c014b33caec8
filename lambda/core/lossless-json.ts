/**
 * JSON text that keeps DynamoDB numbers exactly.
 *
 * DynamoDB numbers have up to 38 significant digits; a JavaScript number keeps about 16. The
 * mirror stores numbers as JSON numbers, so we write the digits DynamoDB gave us straight into
 * the JSON text instead of going through `number`. OpenSearch keeps `_source` byte for byte.
 */

/** A number kept as its decimal text. */
export class ExactNumber {
  constructor(readonly text: string) {}
}

export type LosslessObject = { readonly [key: string]: LosslessValue };

export type LosslessValue =
  | null
  | boolean
  | string
  | number
  | ExactNumber
  | readonly LosslessValue[]
  | { readonly [key: string]: LosslessValue };

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** DynamoDB accepts forms JSON does not ("+1", ".5", "5.", "007"): bring them into JSON's grammar. */
export function toJsonNumberText(text: string): string {
  const trimmed = text.trim();
  if (JSON_NUMBER.test(trimmed)) return trimmed;
  const match = /^([+-]?)(\d*)(?:\.(\d*))?([eE][+-]?\d+)?$/.exec(trimmed);
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) {
    throw new Error(`not a number: ${JSON.stringify(text)}`);
  }
  const [, sign, integer, fraction = '', exponent = ''] = match;
  const integerPart = integer.replace(/^0+(?=\d)/, '') || '0';
  return `${sign === '-' ? '-' : ''}${integerPart}${fraction ? `.${fraction}` : ''}${exponent}`;
}

export function stringifyLossless(value: LosslessValue): string {
  if (value === null) return 'null';
  if (value instanceof ExactNumber) return toJsonNumberText(value.text);
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as JSON`);
      return JSON.stringify(value);
    default:
      break;
  }
  if (Array.isArray(value)) return `[${value.map((item) => stringifyLossless(item)).join(',')}]`;
  const entries = Object.entries(value as Record<string, LosslessValue>).map(
    ([key, item]) => `${JSON.stringify(key)}:${stringifyLossless(item)}`,
  );
  return `{${entries.join(',')}}`;
}
