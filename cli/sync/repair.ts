/**
 * `cdc verify --repair`: puts right the documents verify found missing, extra or different, safely
 * while the stream is live.
 *
 * The rule, per item: read what the mirror holds (document and tombstone), then the item itself
 * with a consistent read, and write that state through applyChanges as a repair record carrying
 * the sequence number of the newest state the mirror holds (the document's or the tombstone's).
 * A repair replaces exactly that state, conditionally on its revision, and nothing newer. So:
 * - a change the stream applied after the mirror was read wins: the repair finds a newer state
 *   and is skipped (verify again later);
 * - a change committed after the item was read has a higher sequence number than anything the
 *   mirror held, so when the stream applies it, it replaces the repair: the mirror still ends on
 *   the item's newest state;
 * - an item gone from the table is removed with a tombstone at the document's sequence number,
 *   so a late, older write cannot bring it back, and a later re-insert still can.
 * Items the AWS SDK cannot read whole (an attribute named `__proto__`) are left to the stream.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { isLosslessNumber } from 'lossless-json';
import type { MirrorReader } from '../../lambda/adapters/opensearch';
import {
  type AttributeMap,
  type AttributeValue,
  type RawStreamRecord,
  documentId,
  keyAttributes,
  type KeySchema,
  compareSequenceNumbers,
  refKey,
} from '../../lambda/core';
import type { PipelineSettings, SearchPort } from '../../lambda/pipeline';
import { mirrorBackingIndex, tombstoneIndex } from '../../lambda/settings';
import { applyWithRetries } from './apply-with-retries';
import { belongsInMirror } from './item-belongs';
import { readItem, unreadableAttributes, tableKeyTypes, type KeyAttributeType } from '../table';

export interface RepairOptions {
  readonly dynamo: DynamoDBClient;
  readonly port: SearchPort;
  readonly mirror: MirrorReader;
  readonly tableName: string;
  readonly settings: PipelineSettings;
  /** Items per round of reads and writes. */
  readonly chunkSize?: number;
}

export interface RepairResult {
  /** Documents written or deleted. */
  readonly repaired: number;
  /** Already right when looked at again, or changed by the stream meanwhile (the stream's state wins). */
  readonly skipped: number;
  /** Repairs that could not be written, with the reason. */
  readonly failed: string[];
  /** Left to the stream: the AWS SDK reads the item without some attribute's value. */
  readonly unreadable: string[];
}

/** A document id verify reported, with the item's key when verify read it from the table. */
export interface Difference {
  readonly id: string;
  readonly key?: AttributeMap;
}

export async function repair(differences: readonly Difference[], options: RepairOptions): Promise<RepairResult> {
  const result = { repaired: 0, skipped: 0, failed: [] as string[], unreadable: [] as string[] };
  const keyTypes = await tableKeyTypes(options.dynamo, options.tableName, options.settings.keySchema);
  const chunkSize = options.chunkSize ?? 100;
  const indexes = {
    mirror: mirrorBackingIndex(options.settings.indexes.mirror),
    tombstones: tombstoneIndex(options.settings.indexes.mirror),
  };
  for (let start = 0; start < differences.length; start += chunkSize) {
    const chunk = differences.slice(start, start + chunkSize);
    const { keys, gone, keyless } = await keysOf(chunk, options, keyTypes);
    result.skipped += gone.length;
    for (const id of keyless)
      result.failed.push(
        `${id}: the document's content names no key of ${options.tableName} that gives this id; delete it by hand if it is not yours`,
      );

    // The mirror's state first, then the items: see the rule above.
    const states = await options.port.readStates(
      [...keys.keys()].flatMap((id) => [
        { index: indexes.mirror, id },
        { index: indexes.tombstones, id },
      ]),
    );
    const items = await Promise.all([...keys.values()].map((key) => readItem(options.dynamo, options.tableName, key)));
    const records: RawStreamRecord[] = [];
    for (const [position, [id, key]] of [...keys].entries()) {
      const item = items[position];
      const document = states.get(refKey({ index: indexes.mirror, id }));
      if (document === undefined && (item === undefined || !belongsInMirror(options.settings, item))) {
        result.skipped++;
        continue;
      }
      if (item !== undefined && unreadableAttributes(item).length > 0) {
        result.unreadable.push(id);
        continue;
      }
      const tombstone = states.get(refKey({ index: indexes.tombstones, id }));
      const SequenceNumber = newest(document?.sequenceNumber, tombstone?.sequenceNumber);
      records.push(
        item === undefined
          ? { eventName: 'REMOVE', dynamodb: { Keys: key, SequenceNumber } }
          : { eventName: 'MODIFY', dynamodb: { Keys: key, NewImage: item, SequenceNumber } },
      );
    }
    if (records.length === 0) continue;
    const applied = await applyWithRetries(
      records,
      { ...options.settings, tableName: options.tableName, recordOrigin: 'repair', writeChangeLog: false, mayRaceWithDeletes: true },
      options.port,
    );
    result.repaired += applied.mirrorWritten + applied.mirrorDeleted;
    result.skipped += applied.mirrorSuperseded;
    for (const letter of applied.deadLettered) result.failed.push(`${letter.target}: ${letter.reason}`);
    for (const failure of applied.failures) result.failed.push(`not written, run again: ${failure.reason}`);
  }
  return result;
}

/** The newest of two sequence numbers, or none. */
function newest(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return compareSequenceNumbers(a, b) >= 0 ? a : b;
}

/**
 * Each difference's key: as verify read it from the table, else from the mirror document (typed by
 * the table's key types). An extra document gone since verify read it is `gone` (nothing to do).
 */
async function keysOf(chunk: readonly Difference[], options: RepairOptions, keyTypes: Record<string, KeyAttributeType>) {
  const keys = new Map<string, AttributeMap>();
  const gone: string[] = [];
  const keyless: string[] = [];
  const mirrored = await options.mirror.items(chunk.filter((difference) => difference.key === undefined).map(({ id }) => id));
  for (const { id, key } of chunk) {
    if (key === undefined && !mirrored.has(id)) {
      gone.push(id);
      continue;
    }
    const typed = key ?? typedKey(mirrored.get(id)!.item, keyTypes);
    // A document whose content names another key than its id is nobody's item: not ours to guess.
    if (typed !== undefined && safeDocumentId(typed, options.settings.keySchema) === id) keys.set(id, typed);
    else keyless.push(id);
  }
  return { keys, gone, keyless };
}

/** The key attributes of a mirrored item (numbers arrive as lossless-json numbers, every digit kept). */
function typedKey(item: Record<string, unknown>, keyTypes: Record<string, KeyAttributeType>): AttributeMap | undefined {
  const key: AttributeMap = {};
  for (const [name, type] of Object.entries(keyTypes)) {
    const value = item[name];
    const text = isLosslessNumber(value)
      ? value.toString()
      : typeof value === 'string' || typeof value === 'number'
        ? String(value)
        : undefined;
    if (text === undefined) return undefined;
    key[name] = { [type]: text } as unknown as AttributeValue;
  }
  return key;
}

function safeDocumentId(key: AttributeMap, schema: KeySchema): string | undefined {
  try {
    return documentId(keyAttributes(key, schema), schema);
  } catch {
    return undefined;
  }
}
