/**
 * The mirror's `_id`: the partition key, or `partitionKey|sortKey`.
 *
 * `|` and `\` inside a key value are escaped with `\`, so two different keys never share an id.
 * OpenSearch caps `_id` at 512 bytes while DynamoDB keys reach 2 KB + 1 KB: longer ids become
 * `sha256:<hex>` of the full id.
 */
import { createHash } from 'node:crypto';
import type { AttributeMap, AttributeValue } from './change-record';
import { toJsonNumberText } from './lossless-json';

export interface KeySchema {
  readonly partitionKey: string;
  readonly sortKey?: string;
}

const MAX_ID_BYTES = 512;

export function documentId(keys: AttributeMap, schema: KeySchema): string {
  const parts = [keyPart(keys, schema.partitionKey)];
  if (schema.sortKey !== undefined) parts.push(keyPart(keys, schema.sortKey));
  const id = parts.map((part) => part.replace(/[\\|]/g, (c) => `\\${c}`)).join('|');
  return Buffer.byteLength(id, 'utf8') <= MAX_ID_BYTES ? id : `sha256:${createHash('sha256').update(id).digest('hex')}`;
}

function keyPart(keys: AttributeMap, name: string): string {
  const value: AttributeValue | undefined = keys[name];
  if (value === undefined) {
    throw new Error(`record key has no attribute "${name}" (keys: ${Object.keys(keys).join(', ')}): check the key schema setting`);
  }
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return toJsonNumberText(value.N);
  if (value.B !== undefined) return String(value.B);
  throw new Error(`key attribute "${name}" must be S, N or B`);
}

/** "id" or "pk,sk" -> KeySchema; the setting the handler is configured with. */
export function parseKeySchema(text: string): KeySchema {
  const names = text.split(',').map((name) => name.trim());
  if (names.length < 1 || names.length > 2 || names.some((name) => name === '')) {
    throw new Error(`key schema must be "partitionKey" or "partitionKey,sortKey", got ${JSON.stringify(text)}`);
  }
  return names.length === 1 ? { partitionKey: names[0] } : { partitionKey: names[0], sortKey: names[1] };
}
