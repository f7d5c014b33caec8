/**
 * The change-log document: the seed's format, field for field, with metadata beside it.
 *
 * Images stay in DynamoDB JSON (`{"name": {"S": "..."}}`) exactly as the seed shows, so every type
 * survives as text (numbers included). Nothing of the seed's is renamed; the metadata fields are
 * additions.
 */
import type { AttributeMap, ChangeRecord } from './change-record';

export interface ChangeLogDocument {
  readonly event_name: ChangeRecord['eventName'];
  /** ISO-8601, from the record's ApproximateCreationDateTime. */
  readonly timestamp: string;
  readonly keys: AttributeMap;
  readonly data?: AttributeMap;
  readonly new_data?: AttributeMap;
  readonly old_data?: AttributeMap;
  readonly deleted_data?: AttributeMap;
  readonly event_id: string;
  readonly sequence_number: string;
  readonly table_name: string;
  readonly processed_at: string;
  /** Set when DynamoDB made the change itself, e.g. `Service` / `dynamodb.amazonaws.com` for TTL. */
  readonly user_identity?: { readonly type: string; readonly principal_id: string };
  /** True for a REMOVE made by TTL expiry. */
  readonly ttl_expired?: boolean;
}

export function toChangeLogDocument(record: ChangeRecord, processedAt: Date): ChangeLogDocument {
  const images =
    record.eventName === 'INSERT'
      ? { data: record.newImage }
      : record.eventName === 'MODIFY'
        ? { new_data: record.newImage, ...(record.oldImage ? { old_data: record.oldImage } : {}) }
        : record.oldImage
          ? { deleted_data: record.oldImage }
          : {};
  return {
    event_name: record.eventName,
    timestamp: record.approximateCreationTime.toISOString(),
    keys: record.keys,
    ...images,
    event_id: record.eventId,
    sequence_number: record.sequenceNumber,
    table_name: record.tableName,
    processed_at: processedAt.toISOString(),
    ...(record.userIdentity
      ? {
          user_identity: { type: record.userIdentity.type, principal_id: record.userIdentity.principalId },
          ttl_expired: isTtlExpiry(record),
        }
      : {}),
  };
}

/** DynamoDB marks TTL deletions with a service identity. */
export function isTtlExpiry(record: ChangeRecord): boolean {
  return (
    record.eventName === 'REMOVE' &&
    record.userIdentity?.type === 'Service' &&
    record.userIdentity.principalId === 'dynamodb.amazonaws.com'
  );
}
