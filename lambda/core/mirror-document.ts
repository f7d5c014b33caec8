/**
 * The mirror: one plain-JSON document per item, the item as it is now.
 *
 * Conversion uses @aws-sdk/util-dynamodb's `unmarshall`, with numbers kept as their text
 * (ExactNumber) and sets written as JSON arrays. Binary stays base64 text.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeMap, AttributeValue } from './change-record';
import { ExactNumber, type LosslessValue } from './lossless-json';

/** Bookkeeping stored in every mirror document; the name is reserved in items. */
export const MIRROR_METADATA_FIELD = '_cdc';

export interface MirrorMetadata {
  readonly sequence_number: string;
  readonly event_id: string;
  readonly event_name: string;
  readonly timestamp: string;
  /** A tombstone: the item was deleted. Kept so a late, older write cannot bring it back. */
  readonly deleted: boolean;
}

/** A mirrored item that cannot be represented; the record is dead-lettered with this reason. */
export class UnmirrorableItemError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnmirrorableItemError';
  }
}

export function toPlainJson(image: AttributeMap): { [key: string]: LosslessValue } {
  assertRepresentable(image, '');
  const native = unmarshall(image as never, { wrapNumbers: (text: string) => new ExactNumber(text) });
  return setsToArrays(native) as { [key: string]: LosslessValue };
}

export function toMirrorDocument(
  image: AttributeMap | undefined,
  metadata: MirrorMetadata,
): { [key: string]: LosslessValue } {
  if (metadata.deleted || image === undefined) {
    return { [MIRROR_METADATA_FIELD]: { ...metadata, deleted: true } };
  }
  if (MIRROR_METADATA_FIELD in image) {
    throw new UnmirrorableItemError(`attribute "${MIRROR_METADATA_FIELD}" is reserved for the mirror's bookkeeping`);
  }
  return { ...toPlainJson(image), [MIRROR_METADATA_FIELD]: { ...metadata } };
}

function setsToArrays(value: unknown): unknown {
  if (value instanceof Set) return [...value].map(setsToArrays);
  if (value instanceof ExactNumber || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(setsToArrays);
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[key] = setsToArrays(inner);
  return out;
}

/** Names a plain object cannot hold as its own key would silently vanish: refuse them instead. */
function assertRepresentable(map: AttributeMap, path: string): void {
  for (const [name, value] of Object.entries(map)) {
    if (name === '__proto__') {
      throw new UnmirrorableItemError(`attribute "${path}${name}" cannot be a JSON object key in the mirror`);
    }
    visitNested(value, `${path}${name}.`);
  }
}

function visitNested(value: AttributeValue, path: string): void {
  if (value.M) assertRepresentable(value.M as AttributeMap, path);
  if (value.L) for (const item of value.L as AttributeValue[]) visitNested(item, path);
}
