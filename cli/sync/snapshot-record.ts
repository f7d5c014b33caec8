import { type AttributeMap, type RawStreamRecord, keyAttributes, type KeySchema } from '../../lambda/core';

/** A scanned item as the record the pipeline takes: SNAPSHOT, keys from the key schema. */
export function snapshotRecord(item: AttributeMap, schema: KeySchema): RawStreamRecord {
  return { eventName: 'SNAPSHOT', dynamodb: { Keys: keyAttributes(item, schema), NewImage: item } };
}
