/**
 * Verify: the table against the mirror, item by item. Missing (in the table, not in the mirror),
 * extra (in the mirror, not in the table) and different (by content: numbers by value with every
 * digit, sets in any order). A whole run also lists extras; a sample does not.
 */
import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { MirrorReader } from '../../lambda/adapters/opensearch';
import type { AttributeMap } from '../../lambda/core/change-record';
import { documentId, keyAttributes, type KeySchema } from '../../lambda/core/document-id';
import { canonicalItem, canonicalMirrorItem } from '../../lambda/core/item-compare';
import { toChangeRecord } from '../../lambda/core/change-record';
import { snapshotRecord, unreadableAttributes } from '../backfill/backfill';

export interface VerifyReport {
  readonly checked: number;
  readonly mirrorDocuments?: number;
  readonly missing: string[];
  readonly extra: string[];
  readonly different: string[];
  /** Items not compared: the AWS SDK read them without some attribute's value (`__proto__`). */
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
  readonly pageSize?: number;
}

const SAMPLE_SEGMENTS = 1000;

export async function verify(options: VerifyOptions): Promise<VerifyResult> {
  const missing: string[] = [];
  const different: string[] = [];
  const unreadable: string[] = [];
  const seen = new Set<string>();
  const keys = new Map<string, AttributeMap>();
  let checked = 0;

  const checkPage = async (page: AttributeMap[]) => {
    const scanned = page.filter((item) => {
      if (unreadableAttributes(item).length === 0) return true;
      const id = documentId(keyAttributes(item, options.keySchema), options.keySchema);
      seen.add(id);
      unreadable.push(id);
      return false;
    });
    // As the pipeline sees them: binary as base64 (the SDK gives bytes).
    const items = scanned.map((item) => toChangeRecord(snapshotRecord(item, options.keySchema), { receivedAt: new Date() }).newImage!);
    const ids = items.map((item) => documentId(keyAttributes(item, options.keySchema), options.keySchema));
    const mirrored = await options.mirror.items(ids);
    items.forEach((item, position) => {
      const id = ids[position];
      seen.add(id);
      checked++;
      const found = mirrored.get(id);
      const differs = !found || canonicalMirrorItem(found.item, item) !== canonicalItem(item);
      if (!differs) return;
      (found ? different : missing).push(id);
      keys.set(id, keyAttributes(item, options.keySchema));
    });
  };

  if (options.sample === undefined) {
    let startKey: Record<string, never> | undefined;
    do {
      const page = await options.dynamo.send(new ScanCommand({ TableName: options.tableName, ExclusiveStartKey: startKey, Limit: options.pageSize ?? 500, ConsistentRead: true }));
      await checkPage((page.Items ?? []) as AttributeMap[]);
      startKey = page.LastEvaluatedKey as never;
    } while (startKey);
    const extra: string[] = [];
    let mirrorDocuments = 0;
    for await (const ids of options.mirror.ids()) {
      mirrorDocuments += ids.length;
      for (const id of ids) if (!seen.has(id)) extra.push(id);
    }
    return { report: { checked, mirrorDocuments, missing, extra, different, unreadable, sampled: false, matches: missing.length + extra.length + different.length === 0 }, keys };
  }

  // A sample: whole Scan segments out of many, picked at random, until enough items are checked.
  const order = [...Array(SAMPLE_SEGMENTS).keys()].sort(() => Math.random() - 0.5);
  for (const segment of order) {
    if (checked >= options.sample) break;
    let startKey: Record<string, never> | undefined;
    do {
      const page = await options.dynamo.send(
        new ScanCommand({ TableName: options.tableName, Segment: segment, TotalSegments: SAMPLE_SEGMENTS, ExclusiveStartKey: startKey, ConsistentRead: true }),
      );
      await checkPage(((page.Items ?? []) as AttributeMap[]).slice(0, options.sample - checked));
      startKey = page.LastEvaluatedKey as never;
    } while (startKey && checked < options.sample);
  }
  return { report: { checked, missing, extra: [], different, unreadable, sampled: true, matches: missing.length + different.length === 0 }, keys };
}
