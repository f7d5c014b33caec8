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
  null | boolean | string | number | ExactNumber | readonly LosslessValue[] | { readonly [key: string]: LosslessValue };

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** DynamoDB's number grammar: sign, digits with an optional point, an optional exponent. */
const DYNAMODB_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function isNumberText(text: string): boolean {
  return DYNAMODB_NUMBER.test(text.trim());
}

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
  const out: string[] = [];
  write(value, out);
  return out.join('');
}

function write(value: LosslessValue, out: string[]): void {
  if (value === null) {
    out.push('null');
  } else if (typeof value === 'string' || typeof value === 'boolean') {
    out.push(JSON.stringify(value));
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as JSON`);
    out.push(JSON.stringify(value));
  } else if (value instanceof ExactNumber) {
    out.push(toJsonNumberText(value.text));
  } else if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',');
      write(value[i], out);
    }
    out.push(']');
  } else {
    out.push('{');
    let first = true;
    for (const key of Object.keys(value)) {
      if (!first) out.push(',');
      first = false;
      out.push(JSON.stringify(key), ':');
      write((value as Record<string, LosslessValue>)[key], out);
    }
    out.push('}');
  }
}
