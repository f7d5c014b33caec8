/**
 * A routed mirror's document: the shaped document (document-shaping.ts) laid out by the mirror
 * document's own rules (mirror-document.ts: what a mapping cannot take moves to
 * `_cdc.unindexed` with the reason), plus the root attributes whose declared field did not
 * convert, kept exactly as they were, unindexed, with that reason. So the document still holds
 * the whole shaped document: `root minus _cdc, plus _cdc.unindexed`, as itemOfMirrorDocument reads it.
 */
import type { AttributeValue } from '../change-record';
import { ExactNumber, type LosslessObject, type LosslessValue } from '../lossless-json';
import {
  analysedAttributes,
  layOutMirrorDocument,
  MIRROR_METADATA_FIELD,
  type AnalysedAttributes,
  type MirrorDocument,
  type MirrorLayout,
  type MirrorMetadata,
} from '../mirror-document';
import type { ShapedDocument } from './document-shaping';

/** Planning asks twice per document (which paths it maps, then its document): worked out once. */
const analysedDocuments = new WeakMap<ShapedDocument, AnalysedAttributes>();

/** The part of the shaped document the mapping is tried on: every root attribute but the unconverted ones. */
function shapedAttributes(shaped: ShapedDocument): AnalysedAttributes {
  let analysed = analysedDocuments.get(shaped);
  if (analysed === undefined) {
    const attributes = Object.entries(shaped.document);
    analysed = analysedAttributes(
      shaped.unconverted.size === 0 ? attributes : attributes.filter(([name]) => !shaped.unconverted.has(name)),
    );
    analysedDocuments.set(shaped, analysed);
  }
  return analysed;
}

/** The attributes of the shaped document a mapping could take, as toShapedMirrorDocument tries them on the mapping. */
export function shapedMappableAttributes(shaped: ShapedDocument): readonly [string, LosslessValue][] {
  return shapedAttributes(shaped).mappable;
}

export function toShapedMirrorDocument(shaped: ShapedDocument, metadata: MirrorMetadata, layout?: MirrorLayout): MirrorDocument {
  const laidOut = layOutMirrorDocument(shapedAttributes(shaped), metadata, layout);
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
