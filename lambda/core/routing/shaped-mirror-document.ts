/**
 * A routed mirror's document: the shaped document (document-shaping.ts) laid out by the mirror
 * document's own rules (mirror-document.ts: what a mapping cannot take moves to
 * `_cdc.unindexed` with the reason), plus the root attributes whose declared field did not
 * convert, kept exactly as they were, unindexed, with that reason. So the document still holds
 * the whole shaped document: `root minus _cdc, plus _cdc.unindexed`, as itemOfMirrorDocument reads it.
 */
import type { AttributeMap, AttributeValue } from '../change-record';
import { ExactNumber, type LosslessObject, type LosslessValue } from '../lossless-json';
import { MIRROR_METADATA_FIELD, toMirrorDocument, type MirrorDocument, type MirrorLayout, type MirrorMetadata } from '../mirror-document';
import type { ShapedDocument } from './document-shaping';

/**
 * The part of the shaped document the mapping is tried on, as DynamoDB JSON (what
 * toMirrorDocument, mappableAttributes and the mirror plan take): every root attribute but the
 * unconverted ones.
 */
export function shapedImage(shaped: ShapedDocument): AttributeMap {
  return Object.fromEntries(
    Object.entries(shaped.document)
      .filter(([name]) => !shaped.unconverted.has(name))
      .map(([name, value]) => [name, attributeValueOf(value)]),
  );
}

/** @param image `shapedImage(shaped)`, when the caller has it already */
export function toShapedMirrorDocument(
  shaped: ShapedDocument,
  metadata: MirrorMetadata,
  layout?: MirrorLayout,
  image: AttributeMap = shapedImage(shaped),
): MirrorDocument {
  const laidOut = toMirrorDocument(image, metadata, layout);
  if (shaped.unconverted.size === 0) return laidOut;
  const bookkeeping = laidOut.document[MIRROR_METADATA_FIELD] as { unindexed?: LosslessObject; unindexed_reason?: string };
  const unindexed = [...shaped.unconverted.keys()].map((name): [string, LosslessValue] => [name, shaped.document[name]]);
  const reasons = [bookkeeping.unindexed_reason, ...shaped.unconverted.values()].filter((reason) => reason !== undefined);
  const merged = {
    ...bookkeeping,
    unindexed: Object.fromEntries([...Object.entries(bookkeeping.unindexed ?? {}), ...unindexed]),
    unindexed_reason: reasons.join('; '),
  };
  const rest = Object.entries(laidOut.document).filter(([name]) => name !== MIRROR_METADATA_FIELD);
  return { ...laidOut, document: Object.fromEntries([...rest, [MIRROR_METADATA_FIELD, merged]]), unindexed: true };
}

/** Plain JSON as DynamoDB JSON: the inverse of toPlainJson for what it makes (text S, numbers N, lists L, maps M). */
export function attributeValueOf(value: LosslessValue): AttributeValue {
  if (value === null) return { NULL: true };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'boolean') return { BOOL: value };
  if (typeof value === 'number') return { N: String(value) };
  if (value instanceof ExactNumber) return { N: value.text };
  if (Array.isArray(value)) return { L: value.map(attributeValueOf) } as AttributeValue;
  return {
    M: Object.fromEntries(Object.entries(value as LosslessObject).map(([name, inner]) => [name, attributeValueOf(inner)])),
  } as AttributeValue;
}
