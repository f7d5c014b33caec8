/**
 * Builders of DynamoDB stream records shaped as Lambda delivers them, for tests that drive the
 * core or the handler directly.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import type { AttributeMap } from '../../lambda/core/change-record';

export const STREAM_ARN = 'arn:aws:dynamodb:us-east-1:000000000000:table/test-table/stream/2024-01-01T00:00:00.000';

let counter = 0;

export interface RecordOptions {
  readonly sequenceNumber?: string | number;
  readonly eventId?: string;
  /** Epoch seconds. */
  readonly at?: number;
  readonly keys?: AttributeMap;
  readonly userIdentity?: { type: string; principalId: string };
}

function base(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  options: RecordOptions,
  images: { NewImage?: AttributeMap; OldImage?: AttributeMap },
  keys: AttributeMap,
): DynamoDBRecord {
  counter += 1;
  const sequence = String(options.sequenceNumber ?? counter).padStart(21, '0');
  return {
    eventID: options.eventId ?? `event-${sequence}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    eventSourceARN: STREAM_ARN,
    dynamodb: {
      ApproximateCreationDateTime: options.at ?? 1704110400,
      Keys: (options.keys ?? keys) as never,
      ...(images as object),
      SequenceNumber: sequence,
      SizeBytes: 100,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    ...(options.userIdentity ? { userIdentity: options.userIdentity } : {}),
  };
}

export function keysOf(item: AttributeMap, keyNames: readonly string[] = ['id']): AttributeMap {
  return Object.fromEntries(keyNames.map((name) => [name, item[name]]));
}

export function insertRecord(item: AttributeMap, options: RecordOptions = {}): DynamoDBRecord {
  return base('INSERT', options, { NewImage: item }, keysOf(item));
}

export function modifyRecord(oldItem: AttributeMap | undefined, newItem: AttributeMap, options: RecordOptions = {}): DynamoDBRecord {
  return base('MODIFY', options, { NewImage: newItem, ...(oldItem ? { OldImage: oldItem } : {}) }, keysOf(newItem));
}

export function removeRecord(oldItem: AttributeMap, options: RecordOptions = {}): DynamoDBRecord {
  return base('REMOVE', options, { OldImage: oldItem }, keysOf(oldItem));
}

/** An item with every DynamoDB type, Unicode and numbers beyond double precision included. */
export const EVERY_TYPE_ITEM: AttributeMap = {
  id: { S: 'every-type' },
  text: { S: 'テストユーザー 🚀 ünïcödé' },
  empty: { S: '' },
  integer: { N: '42' },
  negative: { N: '-17.25' },
  big: { N: '12345678901234567890123456789012345678' },
  precise: { N: '0.12345678901234567890123456789012345678' },
  huge: { N: '9.9999999999999999999999999999999999999E+125' },
  tiny: { N: '1E-130' },
  binary: { B: 'AAECAwT/' },
  strings: { SS: ['a', 'b', 'ç'] },
  numbers: { NS: ['1', '2.5', '99999999999999999999999999999999999999'] },
  binaries: { BS: ['AQI=', 'AwQ='] },
  flag: { BOOL: true },
  off: { BOOL: false },
  nothing: { NULL: true },
  map: { M: { nested: { M: { deep: { S: 'yes' }, n: { N: '3' } } }, 'dotted.name': { S: 'dot' }, 'with space': { S: 'space' } } },
  list: { L: [{ S: 'x' }, { S: 'y' }] },
  nestedList: { L: [{ L: [{ N: '1' }] }, { L: [{ N: '2' }, { N: '3' }] }] },
  listOfMaps: { L: [{ M: { k: { NULL: true } } }, { M: { k: { S: 'v' }, other: { N: '2' } } }] },
  emptyList: { L: [] },
  emptyMap: { M: {} },
};

/** Lambda-event JSON (base64 binary) to AWS SDK input (bytes), keeping every name as an own property. */
export function toSdkAttribute(value: any): any {
  if (value.B !== undefined) return { B: Buffer.from(value.B, 'base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((b: string) => Buffer.from(b, 'base64')) };
  if (value.M !== undefined) return { M: Object.fromEntries(Object.entries(value.M).map(([k, v]) => [k, toSdkAttribute(v)])) };
  if (value.L !== undefined) return { L: value.L.map(toSdkAttribute) };
  return value;
}
