/**
 * The change-log document: the original specification's format, field for field, with metadata beside it.
 *
 * Images stay in DynamoDB JSON (`{"name": {"S": "..."}}`) exactly as that format shows, so every type
 * survives as text (numbers included). None of its fields is renamed; the metadata fields are
 * additions. The index maps each image as one `flat_object` (searchable by path, `data.name.S`,
 * whatever the attribute names, and a fixed number of fields however many names a table has).
 * Lucene refuses a term over 32 KB, so an image holding such a value moves, exactly, to
 * `unindexed.<image>` with the reason in `unindexed_reason`; so do all images when OpenSearch
 * refuses the document anyway.
 */
import type { AttributeMap, AttributeValue, ChangeRecord } from './change-record';

export type ImageField = 'data' | 'new_data' | 'old_data' | 'deleted_data';
export const IMAGE_FIELDS: readonly ImageField[] = ['data', 'new_data', 'old_data', 'deleted_data'];

export interface ChangeLogDocument {
  readonly event_name: ChangeRecord['eventName'];
  /** ISO-8601, from the record's ApproximateCreationDateTime (processing time for manual and snapshot records). */
  readonly timestamp: string;
  readonly keys: AttributeMap;
  readonly data?: AttributeMap;
  readonly new_data?: AttributeMap;
  readonly old_data?: AttributeMap;
  readonly deleted_data?: AttributeMap;
  readonly event_id: string;
  readonly sequence_number?: string;
  readonly table_name: string;
  readonly processed_at: string;
  /** Set when DynamoDB made the change itself, e.g. `Service` / `dynamodb.amazonaws.com` for TTL. */
  readonly user_identity?: { readonly type: string; readonly principal_id: string };
  /** True for a REMOVE made by TTL expiry. */
  readonly ttl_expired?: boolean;
  /** A hand-made record (no sequence number), e.g. a test invoke. */
  readonly manual?: boolean;
  /** Images kept exactly but not indexed, and why. */
  readonly unindexed?: Partial<Record<ImageField, AttributeMap>>;
  readonly unindexed_reason?: string;
}

/** Lucene's limit for one term, in bytes. */
const MAX_TERM_BYTES = 32_766;

/**
 * @param form `stored` keeps every image unindexed: for a document OpenSearch refused as indexed.
 */
export function toChangeLogDocument(
  record: ChangeRecord,
  processedAt: Date,
  form: 'indexed' | 'stored' = 'indexed',
  storedReason?: string,
): ChangeLogDocument {
  const images: Partial<Record<ImageField, AttributeMap>> =
    record.eventName === 'INSERT' || record.eventName === 'SNAPSHOT'
      ? { data: record.newImage }
      : record.eventName === 'MODIFY'
        ? { new_data: record.newImage, ...(record.oldImage ? { old_data: record.oldImage } : {}) }
        : record.oldImage
          ? { deleted_data: record.oldImage }
          : {};
  const indexed: Partial<Record<ImageField, AttributeMap>> = {};
  const unindexed: Partial<Record<ImageField, AttributeMap>> = {};
  const reasons: string[] = form === 'stored' ? [storedReason ?? 'OpenSearch refused the images as indexed fields'] : [];
  for (const field of IMAGE_FIELDS) {
    const image = images[field];
    if (image === undefined) continue;
    const tooLong = form === 'stored' ? undefined : longestTermPath(field, image);
    if (form === 'stored' || tooLong !== undefined) {
      unindexed[field] = image;
      if (tooLong !== undefined) reasons.push(`${field}.${tooLong}: value longer than an index term may be (32 KB)`);
    } else {
      indexed[field] = image;
    }
  }
  return {
    event_name: record.eventName,
    timestamp: record.approximateCreationTime.toISOString(),
    keys: record.keys,
    ...indexed,
    event_id: record.eventId,
    ...(record.origin === 'stream' ? { sequence_number: record.sequenceNumber } : record.origin === 'manual' ? { manual: true } : {}),
    table_name: record.tableName,
    processed_at: processedAt.toISOString(),
    ...(record.userIdentity
      ? {
          user_identity: { type: record.userIdentity.type, principal_id: record.userIdentity.principalId },
          ttl_expired: isTtlExpiry(record),
        }
      : {}),
    ...(reasons.length > 0 ? { unindexed, unindexed_reason: reasons.join('; ') } : {}),
  };
}

/** DynamoDB marks TTL deletions with a service identity. */
export function isTtlExpiry(record: ChangeRecord): boolean {
  return (
    record.eventName === 'REMOVE' && record.userIdentity?.type === 'Service' && record.userIdentity.principalId === 'dynamodb.amazonaws.com'
  );
}

/**
 * The path of a value too long for a `flat_object` term (OpenSearch indexes `field.path=value`
 * and its prefix forms), or undefined when every value fits. Bytes are counted, and the path
 * spelled out, only where lengths say a value might not fit (a UTF-16 unit is at most 3 bytes of
 * UTF-8; `units` bounds the path's, dots included): the common case costs neither.
 */
function longestTermPath(field: string, image: AttributeMap): string | undefined {
  const budget = MAX_TERM_BYTES - 2 * Buffer.byteLength(field) - 8;
  const path: string[] = [];
  let units = 0;
  const within = <T>(segment: string, visit: () => T): T => {
    path.push(segment);
    units += segment.length + 1;
    const found = visit();
    path.pop();
    units -= segment.length + 1;
    return found;
  };
  const tooLong = (leaf: string): boolean =>
    3 * (leaf.length + 2 * units) > budget && Buffer.byteLength(leaf) + 2 * Buffer.byteLength(path.join('.')) > budget;
  const visitValue = (value: AttributeValue): string | undefined => {
    for (const type of Object.keys(value)) {
      const inner = (value as Record<string, unknown>)[type];
      const found = within(type, () => {
        for (const leaf of Array.isArray(inner) ? inner : [inner]) {
          if (typeof leaf === 'string' && tooLong(leaf)) return path.join('.');
          if (leaf === null || typeof leaf !== 'object') continue;
          const nested = type === 'M' ? visitMap(leaf as AttributeMap) : visitValue(leaf as AttributeValue);
          if (nested) return nested;
        }
        return undefined;
      });
      if (found) return found;
    }
    return undefined;
  };
  const visitMap = (map: AttributeMap): string | undefined => {
    for (const name of Object.keys(map)) {
      const found = within(name, () => visitValue(map[name]));
      if (found) return found;
    }
    return undefined;
  };
  return visitMap(image);
}
