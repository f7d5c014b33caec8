/**
 * The mirror: one plain-JSON document per item, the item as it is now.
 *
 * Numbers are kept as their text (ExactNumber), sets become JSON arrays, binary stays base64
 * text. (Not util-dynamodb's `unmarshall`: it assigns map keys with `acc[key] =`, which turns an
 * attribute named `__proto__` into the object's prototype, and the attribute is lost.)
 *
 * Attributes an index mapping cannot take (a list mixing kinds of values, a name OpenSearch
 * refuses as a field name, our own `_cdc`), and those the mirror's mapping as it stands cannot
 * take (a type conflict with an earlier item, new fields past the field limit: see
 * mirror-fields.ts), are kept exactly, unindexed, under `_cdc.unindexed`, with the reason in
 * `_cdc.unindexed_reason`; the rest stays at the root, searchable as usual. When OpenSearch
 * refuses the document anyway (its mapping changed under the writer), every attribute moves
 * there: the item is still mirrored exactly, only not searchable by attribute. The item is always
 * `root minus _cdc, plus _cdc.unindexed`.
 */
import type { AttributeMap, AttributeValue, ChangeRecord } from './change-record';
import { ExactNumber, type LosslessObject, type LosslessValue } from './lossless-json';
import { MirrorMapping, type FieldKind } from './mirror-fields';

/** Bookkeeping stored in every mirror document. */
export const MIRROR_METADATA_FIELD = '_cdc';

export interface MirrorMetadata {
  readonly sequence_number: string;
  readonly event_id: string;
  readonly event_name: string;
  readonly timestamp: string;
  /** Written by a manual record (see ChangeRecord.origin). */
  readonly manual?: boolean;
  /** Written by a REMOVE that the mirror's transform kept a document for (an archive, a soft delete): no item is behind it. */
  readonly removed?: boolean;
}

/** How an item is laid out in its mirror document. */
export type MirrorLayout =
  /** At the root what the mapping takes (as far as `mapping` knows it), the rest under `_cdc.unindexed` with the reason. */
  | { readonly form: 'indexed'; readonly mapping?: MirrorMapping }
  /** Every attribute under `_cdc.unindexed`: OpenSearch refused the indexed form. */
  | { readonly form: 'stored'; readonly reason: string };

export interface MirrorDocument {
  readonly document: LosslessObject;
  /** Whether some of the item is kept unindexed (under `_cdc.unindexed`). */
  readonly unindexed: boolean;
  /** Paths its indexed attributes map that the mapping did not hold (see FieldPlacement). */
  readonly newFields: ReadonlyMap<string, FieldKind>;
}

/** OpenSearch's metadata fields: refused (or, `_doc_count`, misread) as attribute names at the root. */
const METADATA_FIELD_NAMES: ReadonlySet<string> = new Set([
  '_id',
  '_index',
  '_source',
  '_routing',
  '_field_names',
  '_ignored',
  '_seq_no',
  '_version',
  '_primary_term',
  '_doc_count',
  '_type',
  '_meta',
  '_data_stream_timestamp',
  '_size',
  '_tier',
  '_nested_path',
  '_uid',
  '_all',
  '_parent',
  MIRROR_METADATA_FIELD,
]);

/** @param removed the document is what a transform kept of a deleted item */
export function mirrorMetadata(record: ChangeRecord, removed = false): MirrorMetadata {
  return {
    sequence_number: record.sequenceNumber,
    event_id: record.eventId,
    event_name: record.eventName,
    timestamp: record.approximateCreationTime.toISOString(),
    ...(record.origin === 'manual' ? { manual: true } : {}),
    ...(removed ? { removed: true } : {}),
  };
}

/** The item as plain JSON, numbers exact, sets as arrays. */
export function toPlainJson(image: AttributeMap): LosslessObject {
  // fromEntries defines own properties: an attribute named "__proto__" stays an attribute.
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, plainValue(value)]));
}

function plainValue(value: AttributeValue): LosslessValue {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return new ExactNumber(value.N);
  if (value.B !== undefined) return value.B as string;
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.M !== undefined) return toPlainJson(value.M as AttributeMap);
  if (value.L !== undefined) return (value.L as AttributeValue[]).map(plainValue);
  if (value.SS !== undefined) return [...value.SS];
  if (value.NS !== undefined) return value.NS.map((text) => new ExactNumber(text));
  if (value.BS !== undefined) return [...(value.BS as string[])];
  throw new Error(`not an attribute value: ${JSON.stringify(value)}`);
}

export function toMirrorDocument(
  image: AttributeMap,
  metadata: MirrorMetadata,
  layout: MirrorLayout = { form: 'indexed' },
): MirrorDocument {
  return layOutMirrorDocument(attributesOf(image), metadata, layout);
}

/** The mirror document of attributes analysed already: an item's (toMirrorDocument), or a routed mirror's shaped document. */
export function layOutMirrorDocument(
  analysed: AnalysedAttributes,
  metadata: MirrorMetadata,
  layout: MirrorLayout = { form: 'indexed' },
): MirrorDocument {
  const attributes = analysed.attributes;
  if (layout.form === 'stored') return documentOf([], attributes, [layout.reason], metadata, new Map());
  const moved = new Map(analysed.unfit);
  const placement = (layout.mapping ?? new MirrorMapping()).place(analysed.mappable);
  for (const [name, reason] of placement.moved) moved.set(name, reason);
  const [indexed, unindexed] = partition(attributes, ([name]) => !moved.has(name));
  return documentOf(indexed, unindexed, [...moved.values()], metadata, placement.newFields);
}

/** The attributes a mapping could take by their names and shapes, as toMirrorDocument tries them on the mapping. */
export function mappableAttributes(image: AttributeMap): readonly [string, LosslessValue][] {
  return attributesOf(image).mappable;
}

/** A document's root attributes as the layout takes them: plain JSON (numbers ExactNumber or JavaScript numbers: both are written as their text). */
export interface AnalysedAttributes {
  readonly attributes: readonly [string, LosslessValue][];
  /** The attributes no mapping can take by their names and shapes, with the reason. */
  readonly unfit: ReadonlyMap<string, string>;
  /** The others, in order. */
  readonly mappable: readonly [string, LosslessValue][];
}

/** Planning a batch asks twice per image (which paths it maps, then its document): worked out once. */
const analysedImages = new WeakMap<AttributeMap, AnalysedAttributes>();

function attributesOf(image: AttributeMap): AnalysedAttributes {
  let analysed = analysedImages.get(image);
  if (analysed === undefined) {
    analysed = analysedAttributes(Object.entries(toPlainJson(image)));
    analysedImages.set(image, analysed);
  }
  return analysed;
}

export function analysedAttributes(attributes: readonly [string, LosslessValue][]): AnalysedAttributes {
  const unfit = new Map<string, string>();
  for (const [name, value] of attributes) {
    const problem = unindexableBecause(name, value);
    if (problem !== undefined) unfit.set(name, `${JSON.stringify(name)}: ${problem}`);
  }
  return { attributes, unfit, mappable: unfit.size === 0 ? attributes : attributes.filter(([name]) => !unfit.has(name)) };
}

function documentOf(
  indexed: readonly [string, LosslessValue][],
  unindexed: readonly [string, LosslessValue][],
  reasons: readonly string[],
  metadata: MirrorMetadata,
  newFields: ReadonlyMap<string, FieldKind>,
): MirrorDocument {
  const bookkeeping: [string, LosslessValue][] = Object.entries(metadata);
  if (unindexed.length > 0) {
    bookkeeping.push(['unindexed', Object.fromEntries(unindexed)], ['unindexed_reason', reasons.join('; ')]);
  }
  return {
    document: Object.fromEntries([...indexed, [MIRROR_METADATA_FIELD, Object.fromEntries(bookkeeping)]]),
    unindexed: unindexed.length > 0,
    newFields,
  };
}

function partition<T>(items: readonly T[], keep: (item: T) => boolean): [T[], T[]] {
  const kept: T[] = [];
  const rest: T[] = [];
  for (const item of items) (keep(item) ? kept : rest).push(item);
  return [kept, rest];
}

/**
 * The sequence number a stored document's bookkeeping holds, when it is one (text of digits).
 * Anything else (a document written by hand, a number, null) reads as none: any change replaces
 * it, and one odd document never stalls the batches of its item or the maintenance.
 */
export function storedSequenceNumber(value: unknown): string | undefined {
  return typeof value === 'string' && /^\d+$/.test(value) ? value : undefined;
}

/** The item a mirror document holds (the inverse of toMirrorDocument), without the bookkeeping. */
export function itemOfMirrorDocument(source: Record<string, unknown>): Record<string, unknown> {
  const entries = Object.entries(source).filter(([name]) => name !== MIRROR_METADATA_FIELD);
  const unindexed = (source[MIRROR_METADATA_FIELD] as { unindexed?: Record<string, unknown> } | undefined)?.unindexed ?? {};
  return Object.fromEntries([...entries, ...Object.entries(unindexed)]);
}

/** Why a root attribute cannot be handed to a dynamic mapping, or undefined when it can. */
function unindexableBecause(name: string, value: LosslessValue): string | undefined {
  if (METADATA_FIELD_NAMES.has(name)) return 'the name is reserved by OpenSearch or the mirror';
  return badFieldName(name) ?? badNesting(value);
}

/**
 * Why a path (one attribute name per level) can never be a field of the mirror's mapping: its root
 * is reserved (`_id`, `_cdc` …) or a name OpenSearch refuses; undefined when it can.
 */
export function unmappablePath(path: readonly string[]): string | undefined {
  if (METADATA_FIELD_NAMES.has(path[0])) return `${path[0]} is reserved by OpenSearch or the mirror`;
  for (const name of path) {
    const problem = badFieldName(name);
    if (problem) return `${problem} (${JSON.stringify(name)})`;
  }
  return undefined;
}

/** Field names OpenSearch refuses at a mapped level. */
function badFieldName(name: string): string | undefined {
  if (name.trim() === '') return 'an empty or blank name cannot be a field name';
  if (name.startsWith('.') || name.endsWith('.') || name.includes('..'))
    return 'a name with a leading, trailing or double dot cannot be a field name';
  return undefined;
}

/** Lists mixing kinds of values (text, numbers, booleans, maps) cannot be mapped; nor can bad names inside maps. */
function badNesting(value: LosslessValue): string | undefined {
  if (value === null || typeof value !== 'object' || value instanceof ExactNumber) return undefined;
  if (Array.isArray(value)) {
    const leaves = value.some(Array.isArray) ? leavesOfList(value) : value;
    const kinds = new Set<string>();
    for (const element of leaves) if (element !== null) kinds.add(kindOf(element));
    if (kinds.size > 1) return `a list mixing ${[...kinds].sort().join(', ')} cannot be mapped`;
    if (!kinds.has('maps')) return undefined; // text, numbers or booleans hold no names
    for (const element of leaves) {
      const problem = badNesting(element);
      if (problem) return problem;
    }
    return undefined;
  }
  for (const [name, inner] of Object.entries(value)) {
    const problem = badFieldName(name) ?? badNesting(inner);
    if (problem) return `${problem} (at ${JSON.stringify(name)})`;
  }
  return undefined;
}

/** OpenSearch flattens lists of lists. */
function leavesOfList(list: readonly LosslessValue[]): LosslessValue[] {
  return list.flatMap((element) => (Array.isArray(element) ? leavesOfList(element) : [element]));
}

function kindOf(value: LosslessValue): string {
  if (value instanceof ExactNumber || typeof value === 'number') return 'numbers';
  if (typeof value === 'string') return 'text';
  if (typeof value === 'boolean') return 'booleans';
  return 'maps';
}
