/**
 * A mirror's `transform`: the user's function `(item, context) => document | null`, bundled into
 * the function, called on every change of an item that belongs in the mirror: an INSERT, MODIFY
 * or backfill SNAPSHOT (the item is the new image) and a REMOVE (the item is the old image, or its
 * keys when the record carries none). It sees plain JSON (numbers as JavaScript numbers, sets as
 * lists, binary as base64 text), and in `context.record` the change as the stream delivered it
 * (DynamoDB JSON: `userIdentity` tells a TTL expiry). It returns the document to write, or null
 * for "not in this index" (for a REMOVE: delete it, as without a transform; a document keeps it,
 * an archive or a soft delete). Its result is checked (a document must be a JSON object), and a
 * number it passes through unchanged keeps every digit DynamoDB gave (a double holds about 16).
 * A transform that throws, or returns something else, is a TransformError: the pipeline
 * dead-letters that record's write to that mirror with the message, and the batch goes on.
 */
import type { AttributeMap, ChangeRecord, EventName } from '../change-record';
import { ExactNumber, type LosslessObject, type LosslessValue } from '../lossless-json';
import { toPlainJson } from '../mirror-document';

/** A JSON value as a transform sees and returns it. */
export type PlainValue = null | boolean | number | string | PlainValue[] | { [name: string]: PlainValue };
/** An item, or a document, as plain JSON. */
export type PlainItem = { [name: string]: PlainValue };

/** What a transform is told besides the item. */
export interface TransformContext {
  /** INSERT, MODIFY or REMOVE from the stream; SNAPSHOT from `cdc backfill`; MODIFY or REMOVE from a repair. */
  readonly eventName: EventName;
  /** The mirror index the document is for. */
  readonly index: string;
  /** The item's key attributes. */
  readonly keys: PlainItem;
  readonly newImage?: PlainItem;
  /** The image before the change (MODIFY from the stream). */
  readonly oldImage?: PlainItem;
  /** The change's sequence number (`0` for a backfill snapshot or a hand-made record). */
  readonly sequenceNumber: string;
  readonly tableName: string;
  /** The change as the stream delivered it, in DynamoDB JSON (without the change log's excluded paths); a copy. */
  readonly record: RawChange;
}

/** A change in the shape of a Lambda stream record (`DynamoDBRecord`), images in DynamoDB JSON. */
export interface RawChange {
  readonly eventID: string;
  readonly eventName: EventName;
  readonly eventSourceARN?: string;
  /** `{ type: 'Service', principalId: 'dynamodb.amazonaws.com' }` for a TTL expiry. */
  readonly userIdentity?: { readonly type: string; readonly principalId: string };
  readonly dynamodb: {
    readonly Keys: AttributeMap;
    readonly NewImage?: AttributeMap;
    readonly OldImage?: AttributeMap;
    readonly SequenceNumber: string;
    /** Epoch seconds. */
    readonly ApproximateCreationDateTime: number;
  };
}

/** A mirror's transform: the document for `item` in this mirror, or null when the item does not belong there. */
export type Transform = (item: PlainItem, context: TransformContext) => PlainItem | null;

/** A transform that threw or returned something that is not a document: that record's write to the mirror is dead-lettered. */
export class TransformError extends Error {
  constructor(
    readonly index: string,
    /** The setting: `<module path>#<export>`. */
    readonly transform: string,
    readonly problem: string,
  ) {
    super(`the transform ${transform} of mirror ${index} ${problem}`);
    this.name = 'TransformError';
  }
}

/** Deep enough for any item (DynamoDB nests 32 levels) and a few levels a transform adds; beyond it, a cycle. */
const MAX_DEPTH = 100;

/** The item a transform is given: the new image; for a REMOVE the old one, else the keys. */
export function transformedImage(record: ChangeRecord): AttributeMap {
  return record.eventName === 'REMOVE' ? (record.oldImage ?? record.keys) : (record.newImage ?? record.keys);
}

/** Calls the transform on the record's item (transformedImage); null when it says the item is not for this mirror. */
export function applyTransform(transform: Transform, spec: string, index: string, record: ChangeRecord): LosslessObject | null {
  const item = toPlainJson(transformedImage(record));
  let result: unknown;
  try {
    result = transform(plainCopy(item) as PlainItem, transformContext(record, index));
  } catch (error) {
    throw new TransformError(index, spec, `threw: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (result === null) return null;
  const problem = documentProblem(result);
  if (problem !== undefined) throw new TransformError(index, spec, problem);
  try {
    return exactValue(result, item, 0) as LosslessObject;
  } catch (error) {
    throw new TransformError(index, spec, `returned a document that is not JSON: ${(error as Error).message}`);
  }
}

/**
 * The context, its copies made on first read: most transforms look at the item alone, and copying
 * both images and the raw record for each change would cost more than the transform.
 */
function transformContext(record: ChangeRecord, index: string): TransformContext {
  const plain = (image: AttributeMap) => plainCopy(toPlainJson(image)) as PlainItem;
  const context = { eventName: record.eventName, index, sequenceNumber: record.sequenceNumber, tableName: record.tableName };
  copiedOnFirstRead(context, 'keys', () => plain(record.keys));
  if (record.newImage) copiedOnFirstRead(context, 'newImage', () => plain(record.newImage!));
  if (record.oldImage) copiedOnFirstRead(context, 'oldImage', () => plain(record.oldImage!));
  copiedOnFirstRead(context, 'record', () => rawChange(record));
  return context as TransformContext;
}

/** A property computed when first read, then an ordinary one (the transform may change it at will). */
function copiedOnFirstRead(target: object, name: string, compute: () => unknown): void {
  Object.defineProperty(target, name, {
    enumerable: true,
    configurable: true,
    get() {
      const value = compute();
      Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
      return value;
    },
  });
}

function rawChange(record: ChangeRecord): RawChange {
  const copy = <T>(value: T): T => structuredClone(value);
  return {
    eventID: record.eventId,
    eventName: record.eventName,
    ...(record.eventSourceArn ? { eventSourceARN: record.eventSourceArn } : {}),
    ...(record.userIdentity ? { userIdentity: { ...record.userIdentity } } : {}),
    dynamodb: {
      Keys: copy(record.keys),
      ...(record.newImage ? { NewImage: copy(record.newImage) } : {}),
      ...(record.oldImage ? { OldImage: copy(record.oldImage) } : {}),
      SequenceNumber: record.sequenceNumber,
      ApproximateCreationDateTime: Math.floor(record.approximateCreationTime.getTime() / 1000),
    },
  };
}

function documentProblem(result: unknown): string | undefined {
  if (result === undefined) return 'returned undefined: return the document, or null when the item is not for this index';
  if (typeof (result as { then?: unknown }).then === 'function') return 'returned a Promise: a transform returns the document itself';
  if (typeof result !== 'object' || Array.isArray(result))
    return `returned ${Array.isArray(result) ? 'a list' : typeof result}: a document is a JSON object, or null`;
  const prototype = Object.getPrototypeOf(result);
  if (prototype !== Object.prototype && prototype !== null)
    return `returned a ${(result as object).constructor?.name ?? 'class instance'}: a document is a plain JSON object, or null`;
  return undefined;
}

/** A fresh plain-JSON copy, numbers as JavaScript numbers (the transform may change it at will). */
function plainCopy(value: LosslessValue): PlainValue {
  if (value instanceof ExactNumber) return Number(value.text);
  if (Array.isArray(value)) return value.map(plainCopy);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, plainCopy(inner as LosslessValue)]));
  return value as PlainValue;
}

/**
 * The transform's result as the mirror writes it. A number equal to the double of the exact
 * number at the same place of the item is that exact number (passed through, every digit kept);
 * a Date becomes its ISO text and a bigint a number, as JSON.stringify would; undefined members
 * are left out, as JSON.stringify does. Anything JSON cannot hold is refused, naming its path.
 */
function exactValue(value: unknown, original: LosslessValue | undefined, depth: number, path = ''): LosslessValue {
  if (depth > MAX_DEPTH) throw new Error(`nested deeper than ${MAX_DEPTH} levels at ${path || 'the root'} (a cycle?)`);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${path || 'the root'} is ${value}`);
    return original instanceof ExactNumber && Number(original.text) === value ? original : value;
  }
  if (typeof value === 'bigint') return new ExactNumber(value.toString());
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) {
    const list = Array.isArray(original) ? original : [];
    return value.map((element, position) => exactValue(element ?? null, list[position], depth + 1, `${path}[${position}]`));
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) !== null && Object.getPrototypeOf(value) !== Object.prototype)
    throw new Error(`${path || 'the root'} is a ${value.constructor?.name ?? 'class instance'}, not a plain object`);
  if (typeof value !== 'object') throw new Error(`${path || 'the root'} is a ${typeof value}`);
  const map =
    original !== null && typeof original === 'object' && !Array.isArray(original) && !(original instanceof ExactNumber) ? original : {};
  const entries: [string, LosslessValue][] = [];
  for (const [name, inner] of Object.entries(value)) {
    if (inner === undefined) continue;
    const before = Object.hasOwn(map, name) ? (map as LosslessObject)[name] : undefined;
    entries.push([name, exactValue(inner, before, depth + 1, path ? `${path}.${name}` : name)]);
  }
  return Object.fromEntries(entries);
}
