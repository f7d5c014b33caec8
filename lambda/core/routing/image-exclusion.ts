/**
 * The change log's `exclude`: paths that reach OpenSearch nowhere. They are taken out of the
 * record's images (DynamoDB JSON) before anything else reads them, so no change-log image, mirror
 * document, transform or dead letter holds them. Paths go through maps (M) and through lists (L)
 * element by element. The record's keys are never touched (the settings refuse excluding a key).
 */
import type { AttributeMap, AttributeValue, ChangeRecord, RawStreamRecord } from '../change-record';
import { parseAttributePath, pathTree, type PathTree } from './attribute-path';

/** The exclusion of these paths, compiled; undefined when there are none. */
export function exclusionOf(paths: readonly string[] | undefined): PathTree | undefined {
  return paths === undefined || paths.length === 0 ? undefined : pathTree(paths.map(parseAttributePath));
}

/** The image without what lies on the tree's paths. */
export function imageWithout(image: AttributeMap, tree: PathTree): AttributeMap {
  const entries: [string, AttributeValue][] = [];
  for (const [name, value] of Object.entries(image)) {
    const child = tree.children.get(name);
    if (child === undefined) entries.push([name, value]);
    else if (!child.whole) entries.push([name, valueWithout(value, child)]);
  }
  return Object.fromEntries(entries);
}

/** Defensive about shapes: a raw record's images may be malformed (a dead letter keeps them as they came). */
function valueWithout(value: AttributeValue, tree: PathTree): AttributeValue {
  if (value === null || typeof value !== 'object') return value;
  if (isImage(value.M)) return { M: imageWithout(value.M as AttributeMap, tree) } as AttributeValue;
  if (Array.isArray(value.L)) return { L: (value.L as AttributeValue[]).map((element) => valueWithout(element, tree)) } as AttributeValue;
  return value;
}

/** The record with both images without the excluded paths (its keys as they are). */
export function recordWithout(record: ChangeRecord, tree: PathTree | undefined): ChangeRecord {
  if (tree === undefined) return record;
  return {
    ...record,
    ...(record.newImage ? { newImage: imageWithout(record.newImage, tree) } : {}),
    ...(record.oldImage ? { oldImage: imageWithout(record.oldImage, tree) } : {}),
  };
}

/**
 * A raw stream record (a Lambda event's or the Streams API's) with its images without the
 * excluded paths: what a dead letter keeps. Anything not shaped like images is left as it is
 * (a malformed record is kept for what it is).
 */
export function rawRecordWithout(raw: RawStreamRecord, tree: PathTree | undefined): RawStreamRecord {
  const ddb = (raw as { dynamodb?: unknown }).dynamodb;
  if (tree === undefined || ddb === null || typeof ddb !== 'object') return raw;
  const images = ddb as Record<string, unknown>;
  const stripped = (name: 'NewImage' | 'OldImage') =>
    isImage(images[name]) ? { [name]: imageWithout(images[name] as AttributeMap, tree) } : {};
  return { ...raw, dynamodb: { ...images, ...stripped('NewImage'), ...stripped('OldImage') } } as RawStreamRecord;
}

function isImage(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
