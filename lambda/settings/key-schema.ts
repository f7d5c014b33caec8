/**
 * The key schema setting (`keySchema`, the function's KEY_SCHEMA, `--key-schema`): the table's key
 * attribute names as text, parsed and written back.
 */
import { keyNames, type KeySchema } from '../core';
import { SettingError } from './setting-error';

/**
 * "id" or "pk,sk" -> KeySchema: the form the setting takes. Attribute names holding a comma are
 * written as a JSON array instead: `["a,b","sk"]`.
 */
export function parseKeySchema(text: string, setting = 'keySchema'): KeySchema {
  let names: unknown;
  try {
    names = text.trim().startsWith('[') ? JSON.parse(text) : text.split(',').map((name) => name.trim());
  } catch {
    names = undefined;
  }
  if (!Array.isArray(names) || names.length < 1 || names.length > 2 || names.some((name) => typeof name !== 'string' || name === '')) {
    throw new SettingError(setting, 'must be "partitionKey" or "partitionKey,sortKey"', text);
  }
  if (names.length === 2 && names[0] === names[1]) throw new SettingError(setting, 'must name two different attributes', text);
  return names.length === 1 ? { partitionKey: names[0] } : { partitionKey: names[0], sortKey: names[1] };
}

export function formatKeySchema(schema: KeySchema): string {
  const names = keyNames(schema);
  return names.some((name) => name.includes(',') || name.trim() !== name || name.startsWith('[')) ? JSON.stringify(names) : names.join(',');
}

/** A key attribute of the demo table (`partitionKey`, `sortKey`): its name and DynamoDB type. */
export interface KeyAttribute {
  readonly name: string;
  readonly type: KeyAttributeType;
}
export type KeyAttributeType = 'S' | 'N' | 'B';

/** `name` (a string key) or `name:S|N|B` → the attribute; a name may hold `:` (only a last `:S`, `:N` or `:B` is a type). */
export function parseKeyAttribute(text: string, setting: string): KeyAttribute {
  const typed = /^(.+):(S|N|B)$/.exec(text);
  const name = typed ? typed[1] : text;
  if (name.trim() === '' || name.length > 255)
    throw new SettingError(setting, 'must be an attribute name of 1-255 characters, or name:S|N|B', text);
  return { name, type: (typed?.[2] as KeyAttributeType | undefined) ?? 'S' };
}
