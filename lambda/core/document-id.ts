/**
 * The mirror's `_id` of an item: its partition key, or `partitionKey|sortKey`.
 *
 * In the plain form `|` and `\` inside a key value are escaped with `\`, so a backslash is always
 * followed by `\` or `|`. OpenSearch caps `_id` at 512 bytes while DynamoDB keys reach 2 KB + 1 KB:
 * a longer id becomes `\sha256:<hex>`, a form the plain one can never take (a backslash followed
 * by `s`), so two different keys never share an id.
 */
import { createHash } from 'node:crypto';
import type { AttributeMap, AttributeValue } from './change-record';
import { toJsonNumberText } from './lossless-json';

export interface KeySchema {
  readonly partitionKey: string;
  readonly sortKey?: string;
}

/** A record whose key does not fit the configured key schema. */
export class KeyMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyMismatchError';
  }
}

const MAX_ID_BYTES = 512;
export const HASHED_ID_PREFIX = '\\sha256:';

/** The key attribute names, partition key first. */
export function keyNames(schema: KeySchema): string[] {
  return schema.sortKey === undefined ? [schema.partitionKey] : [schema.partitionKey, schema.sortKey];
}

/** The key attributes an item holds (a scanned item holds all of them). */
export function keyAttributes(item: AttributeMap, schema: KeySchema): AttributeMap {
  return Object.fromEntries(
    keyNames(schema)
      .filter((name) => item[name] !== undefined)
      .map((name) => [name, item[name]]),
  );
}

export function documentId(keys: AttributeMap, schema: KeySchema): string {
  const expected = keyNames(schema);
  const given = Object.keys(keys);
  if (given.length !== expected.length || !expected.every((name) => Object.hasOwn(keys, name))) {
    throw new KeyMismatchError(
      `record keys (${given.map((name) => JSON.stringify(name)).join(', ')}) do not match the configured key schema ` +
        `(${expected.map((name) => JSON.stringify(name)).join(', ')}): check the keySchema setting of this pipeline`,
    );
  }
  return boundedId(expected.map((name) => escapeKeyPart(keyPart(keys[name], name))).join('|'));
}

/**
 * Any text as an OpenSearch `_id` (at most 512 bytes): itself, or `\sha256:<hex>` of it when it is
 * longer or could be mistaken for a hashed id. Different texts never share an id.
 */
export function boundedId(text: string): string {
  if (Buffer.byteLength(text, 'utf8') <= MAX_ID_BYTES && !text.startsWith(HASHED_ID_PREFIX)) return text;
  return `${HASHED_ID_PREFIX}${createHash('sha256').update(text).digest('hex')}`;
}

function escapeKeyPart(part: string): string {
  return part.replace(/[\\|]/g, (c) => `\\${c}`);
}

function keyPart(value: AttributeValue, name: string): string {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return toJsonNumberText(value.N);
  if (value.B !== undefined) return String(value.B);
  throw new KeyMismatchError(`key attribute "${name}" must be S, N or B`);
}
