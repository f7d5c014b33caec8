/**
 * A DynamoDB stream record, validated and normalised.
 *
 * Records reach the pipeline two ways: as Lambda events (binary values are base64 strings) and
 * from the DynamoDB Streams API during re-drive (binary values are Uint8Array). Both are turned
 * into this one shape, so everything downstream handles a single form.
 */
import { createHash } from 'node:crypto';
import type { AttributeValue as StreamAttributeValue, DynamoDBRecord } from 'aws-lambda';
import { isNumberText } from './lossless-json';

/** A stream's three, and SNAPSHOT: an item as a backfill read it (never from a stream). */
export type EventName = 'INSERT' | 'MODIFY' | 'REMOVE' | 'SNAPSHOT';

/**
 * Where a change comes from. `stream`: DynamoDB Streams. `manual`: made by hand (a test event
 * with no sequence number, such as the README's manual invoke). `snapshot`: an existing item read
 * by a backfill. Only stream changes carry a real sequence number; the others have the lowest
 * there is, so a stream change always wins over them. `repair`: the table's state read by
 * `cdc verify --repair`, carrying the sequence number of the state it corrects, so it replaces
 * that state and nothing newer.
 */
export type ChangeOrigin = 'stream' | 'manual' | 'snapshot' | 'repair';

/** DynamoDB JSON, with binary values always as base64 strings. */
export type AttributeValue = StreamAttributeValue;
export type AttributeMap = Record<string, AttributeValue>;

export interface ChangeRecord {
  readonly eventId: string;
  readonly eventName: EventName;
  /** Decimal string; can exceed 64 bits (see sequence-number.ts). */
  readonly sequenceNumber: string;
  /** When the change was written, per the stream (second precision on AWS, coarser on some emulators). */
  readonly approximateCreationTime: Date;
  readonly tableName: string;
  readonly eventSourceArn?: string;
  readonly keys: AttributeMap;
  readonly newImage?: AttributeMap;
  readonly oldImage?: AttributeMap;
  /** Present when DynamoDB itself made the change (TTL expiry). */
  readonly userIdentity?: { readonly type: string; readonly principalId: string };
  /** Manual and snapshot changes: id from their content, time of processing if they carry none. */
  readonly origin: ChangeOrigin;
}

/** What the pipeline knows beyond the record itself. */
export interface RecordContext {
  /** When the batch is processed: the time of records that carry none. */
  readonly receivedAt: Date;
  /** The captured table, for records that do not name their source. */
  readonly tableName?: string;
  /** Set by the operator tool that built the records from its own reads (never by a stream). */
  readonly origin?: 'repair';
}

/** The sequence number of manual and snapshot records: below every real one, so any stream change wins. */
export const MANUAL_SEQUENCE_NUMBER = '0';

/** A record that cannot be understood at all: it is dead-lettered, never retried. */
export class MalformedRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedRecordError';
  }
}

const EVENT_NAMES: ReadonlySet<string> = new Set(['INSERT', 'MODIFY', 'REMOVE', 'SNAPSHOT']);

/** Anything that looks like a stream record: a Lambda event record or a Streams API record. */
export type RawStreamRecord = DynamoDBRecord | Record<string, unknown>;

export function toChangeRecord(raw: RawStreamRecord, context: RecordContext): ChangeRecord {
  const record = raw as Record<string, any>;
  if (record === null || typeof record !== 'object') throw new MalformedRecordError('record is not an object');
  const ddb = record.dynamodb as Record<string, any> | undefined;
  if (ddb === undefined || ddb === null || typeof ddb !== 'object') {
    throw new MalformedRecordError('record has no "dynamodb" section');
  }
  const eventName = record.eventName;
  if (!EVENT_NAMES.has(eventName)) {
    throw new MalformedRecordError(`eventName must be INSERT, MODIFY or REMOVE, got ${JSON.stringify(eventName)}`);
  }
  if (context.origin === 'repair') return repairRecord(record, ddb, context);
  const manual = ddb.SequenceNumber === undefined;
  if (eventName === 'SNAPSHOT' && !manual) throw new MalformedRecordError('a SNAPSHOT record (a backfilled item) has no SequenceNumber');
  const origin: ChangeOrigin = eventName === 'SNAPSHOT' ? 'snapshot' : manual ? 'manual' : 'stream';
  const sequenceNumber = manual ? MANUAL_SEQUENCE_NUMBER : ddb.SequenceNumber;
  if (!manual && (typeof sequenceNumber !== 'string' || !/^\d+$/.test(sequenceNumber) || /^0+$/.test(sequenceNumber))) {
    throw new MalformedRecordError(`dynamodb.SequenceNumber must be a string of digits above 0, got ${JSON.stringify(ddb.SequenceNumber)}`);
  }
  if (record.eventID !== undefined && (typeof record.eventID !== 'string' || record.eventID.length === 0)) {
    throw new MalformedRecordError(`eventID must be a non-empty string, got ${JSON.stringify(record.eventID)}`);
  }
  const newImage = normaliseImage(ddb.NewImage, 'NewImage');
  const oldImage = normaliseImage(ddb.OldImage, 'OldImage');
  const keys = normaliseImage(ddb.Keys, 'Keys');
  if (keys === undefined || Object.keys(keys).length === 0) {
    throw new MalformedRecordError('dynamodb.Keys is missing or empty');
  }
  if (eventName !== 'REMOVE' && newImage === undefined) {
    throw new MalformedRecordError(`${eventName} record has no NewImage: the stream view type must be NEW_AND_OLD_IMAGES`);
  }
  const eventSourceArn = typeof record.eventSourceARN === 'string' ? record.eventSourceARN : undefined;
  const identity = record.userIdentity;
  const createdAt = ddb.ApproximateCreationDateTime === undefined && manual ? context.receivedAt : toDate(ddb.ApproximateCreationDateTime);
  return {
    eventId: record.eventID ?? (manual ? `${origin}-${recordHash(raw).slice(0, 32)}` : `sequence-${sequenceNumber}`),
    eventName,
    sequenceNumber,
    approximateCreationTime: createdAt,
    tableName: tableNameFromArn(eventSourceArn) ?? context.tableName ?? 'unknown',
    eventSourceArn,
    keys,
    newImage,
    oldImage,
    userIdentity: userIdentityOf(identity),
    origin,
  };
}

/** A repair: the table's current state (or its absence), at the position of the state it corrects. */
function repairRecord(record: Record<string, any>, ddb: Record<string, any>, context: RecordContext): ChangeRecord {
  const eventName = record.eventName === 'REMOVE' ? 'REMOVE' : 'MODIFY';
  const keys = normaliseImage(ddb.Keys, 'Keys');
  const newImage = normaliseImage(ddb.NewImage, 'NewImage');
  if (keys === undefined || (eventName === 'MODIFY' && newImage === undefined))
    throw new MalformedRecordError('a repair needs Keys, and a NewImage unless it is a REMOVE');
  const sequenceNumber = ddb.SequenceNumber ?? MANUAL_SEQUENCE_NUMBER;
  return {
    eventId: `repair-${recordHash(record).slice(0, 32)}`,
    eventName,
    sequenceNumber,
    approximateCreationTime: context.receivedAt,
    tableName: context.tableName ?? 'unknown',
    keys,
    newImage,
    origin: 'repair',
  };
}

/** `userIdentity` as Lambda (`type`) or the Streams API (`Type`) spells it; anything else is none. */
function userIdentityOf(identity: unknown): ChangeRecord['userIdentity'] {
  if (identity === null || typeof identity !== 'object') return undefined;
  const { type, Type, principalId, PrincipalId } = identity as Record<string, unknown>;
  const kind = type ?? Type;
  const principal = principalId ?? PrincipalId;
  return typeof kind === 'string' && typeof principal === 'string' ? { type: kind, principalId: principal } : undefined;
}

/** Same content, same hash (SHA-256, hex): a manual record sent twice is one change, not two. */
export function recordHash(raw: RawStreamRecord): string {
  return createHash('sha256').update(rawRecordJson(raw)).digest('hex');
}

/** JSON text of a stream record from either source: bytes become base64, dates ISO-8601. */
export function rawRecordJson(raw: RawStreamRecord): string {
  return JSON.stringify(raw, (_key, value) => (value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value));
}

/** `arn:aws:dynamodb:region:account:table/NAME/stream/LABEL` -> NAME. */
export function tableNameFromArn(arn: string | undefined): string | undefined {
  const match = arn === undefined ? null : /:table\/([^/]+)/.exec(arn);
  return match ? match[1] : undefined;
}

/** Seconds (milliseconds would be a date tens of thousands of years ahead: refused, not guessed). */
function fromEpochSeconds(seconds: number): Date | undefined {
  return Number.isFinite(seconds) && Math.abs(seconds) < 1e11 ? new Date(seconds * 1000) : undefined;
}

/**
 * A record's creation time as Lambda events (epoch seconds), the Streams API (a Date) and stored
 * re-drive records (ISO-8601 text) carry it: years 1970 to 9999 (a stream's times all are, and so
 * the day of a change-log partition always has four digits), else undefined.
 */
export function creationTimeOf(value: unknown): Date | undefined {
  let date: Date | undefined;
  if (value instanceof Date) date = value;
  else if (typeof value === 'number') date = fromEpochSeconds(value);
  else if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) date = fromEpochSeconds(Number(value));
  else if (typeof value === 'string') date = new Date(value);
  if (date === undefined || Number.isNaN(date.getTime()) || date.getTime() < 0 || date.getUTCFullYear() > 9999) return undefined;
  return date;
}

/** The creation time a raw record carries, if it carries a valid one (see creationTimeOf). */
export function recordCreationTime(raw: RawStreamRecord): Date | undefined {
  return creationTimeOf((raw as { dynamodb?: { ApproximateCreationDateTime?: unknown } } | null)?.dynamodb?.ApproximateCreationDateTime);
}

function toDate(value: unknown): Date {
  const date = creationTimeOf(value);
  if (date === undefined) {
    throw new MalformedRecordError(
      `dynamodb.ApproximateCreationDateTime must be epoch seconds from 1970 to the year 9999, got ${JSON.stringify(value)}`,
    );
  }
  return date;
}

function normaliseImage(image: unknown, name: string): AttributeMap | undefined {
  if (image === undefined || image === null) return undefined;
  if (typeof image !== 'object' || Array.isArray(image)) {
    throw new MalformedRecordError(`dynamodb.${name} must be a map of attribute values`);
  }
  const out: Record<string, AttributeValue> = {};
  for (const attribute of Object.keys(image)) {
    const value = normaliseValue((image as Record<string, unknown>)[attribute], name, attribute);
    // An own property even for "__proto__", which assignment would take as the prototype; only
    // for it, because defining every property keeps the object out of V8's fast layouts.
    if (attribute === '__proto__') Object.defineProperty(out, attribute, { value, enumerable: true, writable: true, configurable: true });
    else out[attribute] = value;
  }
  return out;
}

/** The path of a value is only spelled out for an error message (building it for every value is costly). */
function normaliseValue(value: unknown, parent: string, key: string | number): AttributeValue {
  const path = () => (typeof key === 'number' ? `${parent}[${key}]` : `${parent}.${key}`);
  if (value === null || typeof value !== 'object') {
    throw new MalformedRecordError(`${path()} is not an attribute value`);
  }
  let type: string | undefined;
  let inner: unknown;
  let count = 0;
  for (const name in value as Record<string, unknown>) {
    if (!Object.hasOwn(value, name) || (value as Record<string, unknown>)[name] === undefined) continue;
    count++;
    type = name;
    inner = (value as Record<string, unknown>)[name];
  }
  if (count !== 1 || type === undefined) {
    const names = Object.keys(value).filter((name) => (value as Record<string, unknown>)[name] !== undefined);
    throw new MalformedRecordError(`${path()} must have exactly one type key, got ${names.join(', ') || 'none'}`);
  }
  switch (type) {
    case 'S':
      if (typeof inner !== 'string') throw new MalformedRecordError(`${path()}.S must be a string`);
      return { S: inner };
    case 'N':
      if (typeof inner !== 'string' || !isNumberText(inner))
        throw new MalformedRecordError(`${path()}.N must be a number as text, got ${JSON.stringify(inner)}`);
      return { N: inner };
    case 'B':
      return { B: toBase64(inner, path()) } as AttributeValue;
    case 'SS':
    case 'NS':
      if (!Array.isArray(inner) || inner.some((v) => typeof v !== 'string' || (type === 'NS' && !isNumberText(v)))) {
        throw new MalformedRecordError(`${path()}.${type} must be a list of ${type === 'NS' ? 'numbers as text' : 'strings'}`);
      }
      return { [type]: [...inner] } as unknown as AttributeValue;
    case 'BS':
      if (!Array.isArray(inner)) throw new MalformedRecordError(`${path()}.BS must be a list`);
      return { BS: inner.map((v, i) => toBase64(v, `${path()}.BS[${i}]`)) } as AttributeValue;
    case 'BOOL':
      if (typeof inner !== 'boolean') throw new MalformedRecordError(`${path()}.BOOL must be a boolean`);
      return { BOOL: inner };
    case 'NULL':
      return { NULL: true };
    case 'M':
      return { M: normaliseImage(inner, path()) ?? {} } as AttributeValue;
    case 'L':
      if (!Array.isArray(inner)) throw new MalformedRecordError(`${path()}.L must be a list`);
      {
        const listPath = path();
        return { L: inner.map((v, i) => normaliseValue(v, listPath, i)) } as AttributeValue;
      }
    default:
      throw new MalformedRecordError(`${path()} has unknown type ${JSON.stringify(type)}`);
  }
}

function toBase64(value: unknown, path: string): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  throw new MalformedRecordError(`${path} must be base64 text or bytes`);
}
