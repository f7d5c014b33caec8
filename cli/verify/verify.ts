/**
 * Verify: the table against the mirror, item by item. Missing (in the table, not in the mirror),
 * extra (in the mirror, not in the table) and different (by content: numbers by value with every
 * digit, sets in any order). A whole run also lists extras; a sample does not.
 */
import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { MirrorReader } from '../../lambda/adapters/opensearch';
import {
  type AttributeMap,
  documentId,
  keyAttributes,
  type KeySchema,
  canonicalItem,
  canonicalMirrorItem,
  toChangeRecord,
} from '../../lambda/core';
import { snapshotRecord } from '../sync';
import { unreadableAttributes, tableKeyTypes, readItem } from '../table';

export interface VerifyReport {
  readonly checked: number;
  readonly mirrorDocuments?: number;
  readonly missing: string[];
  readonly extra: string[];
  readonly different: string[];
  /** Items compared without an attribute the AWS SDK reads without its value (`__proto__`). */
  readonly unreadable: string[];
  readonly sampled: boolean;
  readonly matches: boolean;
}

export interface VerifyResult {
  readonly report: VerifyReport;
  /** The key of each missing and different item, as read from the table (for a repair). */
  readonly keys: ReadonlyMap<string, AttributeMap>;
}

export interface VerifyOptions {
  readonly dynamo: DynamoDBClient;
  readonly mirror: MirrorReader;
  readonly tableName: string;
  readonly keySchema: KeySchema;
  /** Check about this many items, from Scan segments picked at random; undefined checks all. */
  readonly sample?: number;
  /** Check only the items of these keys (after a repair); extras among them are found too. */
  readonly only?: readonly AttributeMap[];
  readonly pageSize?: number;
}

const SAMPLE_SEGMENTS = 1000;

export async function verify(options: VerifyOptions): Promise<VerifyResult> {
  await tableKeyTypes(options.dynamo, options.tableName, options.keySchema);
  const missing: string[] = [];
  const different: string[] = [];
  const unreadable: string[] = [];
  const seen = new Set<string>();
  const keys = new Map<string, AttributeMap>();
  let checked = 0;

  const checkPage = async (page: AttributeMap[]) => {
    // As the pipeline sees them: binary as base64 (the SDK gives bytes). An attribute the AWS SDK
    // read without its value (one named `__proto__`) is left out of the comparison, on both sides.
    const entries = page.map((item) => {
      const lost = unreadableAttributes(item);
      const image = toChangeRecord(snapshotRecord(without(item, lost) as AttributeMap, options.keySchema), {
        receivedAt: new Date(),
      }).newImage!;
      return { image, lost, id: documentId(keyAttributes(image, options.keySchema), options.keySchema) };
    });
    const mirrored = await options.mirror.items(entries.map(({ id }) => id));
    for (const { image, lost, id } of entries) {
      seen.add(id);
      checked++;
      if (lost.length > 0) unreadable.push(id);
      const found = mirrored.get(id);
      if (found && canonicalMirrorItem(without(found.item, lost), image) === canonicalItem(image)) continue;
      (found ? different : missing).push(id);
      keys.set(id, keyAttributes(image, options.keySchema));
    }
  };

  if (options.only !== undefined) {
    const extra: string[] = [];
    for (const key of options.only) {
      const item = await readItem(options.dynamo, options.tableName, key);
      if (item !== undefined) await checkPage([item]);
      else {
        const id = documentId(key, options.keySchema);
        if ((await options.mirror.items([id])).has(id)) extra.push(id);
      }
    }
    return {
      report: {
        checked,
        missing,
        extra,
        different,
        unreadable,
        sampled: true,
        matches: missing.length + extra.length + different.length === 0,
      },
      keys,
    };
  }

  if (options.sample === undefined) {
    let startKey: Record<string, never> | undefined;
    do {
      const page = await options.dynamo.send(
        new ScanCommand({
          TableName: options.tableName,
          ExclusiveStartKey: startKey,
          Limit: options.pageSize ?? 500,
          ConsistentRead: true,
        }),
      );
      await checkPage((page.Items ?? []) as AttributeMap[]);
      startKey = page.LastEvaluatedKey as never;
    } while (startKey);
    const extra: string[] = [];
    let mirrorDocuments = 0;
    for await (const ids of options.mirror.ids()) {
      mirrorDocuments += ids.length;
      for (const id of ids) if (!seen.has(id)) extra.push(id);
    }
    return {
      report: {
        checked,
        mirrorDocuments,
        missing,
        extra,
        different,
        unreadable,
        sampled: false,
        matches: missing.length + extra.length + different.length === 0,
      },
      keys,
    };
  }

  // A sample: whole Scan segments out of many, picked at random, until enough items are checked.
  const order = [...Array(SAMPLE_SEGMENTS).keys()].sort(() => Math.random() - 0.5);
  for (const segment of order) {
    if (checked >= options.sample) break;
    let startKey: Record<string, never> | undefined;
    do {
      const page = await options.dynamo.send(
        new ScanCommand({
          TableName: options.tableName,
          Segment: segment,
          TotalSegments: SAMPLE_SEGMENTS,
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      await checkPage(((page.Items ?? []) as AttributeMap[]).slice(0, options.sample - checked));
      startKey = page.LastEvaluatedKey as never;
    } while (startKey && checked < options.sample);
  }
  return {
    report: { checked, missing, extra: [], different, unreadable, sampled: true, matches: missing.length + different.length === 0 },
    keys,
  };
}

/** An item without the named attributes (own properties only: `__proto__` is a name like any other). */
function without(item: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  return names.length === 0 ? item : Object.fromEntries(Object.entries(item).filter(([name]) => !names.includes(name)));
}
