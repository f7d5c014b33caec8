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
  /**
   * Items mirrored exactly, some of whose attributes the mirror keeps unindexed (not searchable by
   * them; the reason in `_cdc.unindexed_reason`): a note, not a difference.
   */
  readonly keptUnindexed: string[];
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
  const comparison = new Comparison(options);
  if (options.only !== undefined) return verifyOnly(options.only, comparison, options);
  if (options.sample === undefined) return verifyAll(comparison, options);
  return verifySample(options.sample, comparison, options);
}

/** The items of these keys (after a repair); extras among them are found too. */
async function verifyOnly(only: readonly AttributeMap[], comparison: Comparison, options: VerifyOptions): Promise<VerifyResult> {
  const extra: string[] = [];
  for (const key of only) {
    const item = await readItem(options.dynamo, options.tableName, key);
    if (item !== undefined) await comparison.checkPage([item]);
    else {
      const id = documentId(key, options.keySchema);
      if ((await options.mirror.items([id])).has(id)) extra.push(id);
    }
  }
  return comparison.result({ extra, sampled: true });
}

/** The whole table, then every document of the mirror for extras. */
async function verifyAll(comparison: Comparison, options: VerifyOptions): Promise<VerifyResult> {
  let startKey: Record<string, never> | undefined;
  do {
    const page = await options.dynamo.send(
      new ScanCommand({ TableName: options.tableName, ExclusiveStartKey: startKey, Limit: options.pageSize ?? 500, ConsistentRead: true }),
    );
    await comparison.checkPage((page.Items ?? []) as AttributeMap[]);
    startKey = page.LastEvaluatedKey as never;
  } while (startKey);
  const extra: string[] = [];
  let mirrorDocuments = 0;
  for await (const ids of options.mirror.ids()) {
    mirrorDocuments += ids.length;
    for (const id of ids) if (!comparison.seen.has(id)) extra.push(id);
  }
  return comparison.result({ extra, mirrorDocuments, sampled: false });
}

/** A sample: whole Scan segments out of many, picked at random, until enough items are checked (extras are not looked for). */
async function verifySample(sample: number, comparison: Comparison, options: VerifyOptions): Promise<VerifyResult> {
  const order = [...Array(SAMPLE_SEGMENTS).keys()].sort(() => Math.random() - 0.5);
  for (const segment of order) {
    if (comparison.checked >= sample) break;
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
      await comparison.checkPage(((page.Items ?? []) as AttributeMap[]).slice(0, sample - comparison.checked));
      startKey = page.LastEvaluatedKey as never;
    } while (startKey && comparison.checked < sample);
  }
  return comparison.result({ extra: [], sampled: true });
}

/** The table's items compared with the mirror's, a page at a time. */
class Comparison {
  readonly missing: string[] = [];
  readonly different: string[] = [];
  readonly unreadable: string[] = [];
  readonly keptUnindexed: string[] = [];
  readonly seen = new Set<string>();
  readonly keys = new Map<string, AttributeMap>();
  checked = 0;

  constructor(private readonly options: VerifyOptions) {}

  async checkPage(page: AttributeMap[]): Promise<void> {
    const { keySchema } = this.options;
    // As the pipeline sees them: binary as base64 (the SDK gives bytes). An attribute the AWS SDK
    // read without its value (one named `__proto__`) is left out of the comparison, on both sides.
    const entries = page.map((item) => {
      const lost = unreadableAttributes(item);
      const image = toChangeRecord(snapshotRecord(without(item, lost) as AttributeMap, keySchema), { receivedAt: new Date() }).newImage!;
      return { image, lost, id: documentId(keyAttributes(image, keySchema), keySchema) };
    });
    const mirrored = await this.options.mirror.items(entries.map(({ id }) => id));
    for (const { image, lost, id } of entries) {
      this.seen.add(id);
      this.checked++;
      if (lost.length > 0) this.unreadable.push(id);
      const found = mirrored.get(id);
      if (found?.unindexedReason !== undefined) this.keptUnindexed.push(id);
      if (found && canonicalMirrorItem(without(found.item, lost), image) === canonicalItem(image)) continue;
      (found ? this.different : this.missing).push(id);
      this.keys.set(id, keyAttributes(image, keySchema));
    }
  }

  result({ extra, mirrorDocuments, sampled }: { extra: string[]; mirrorDocuments?: number; sampled: boolean }): VerifyResult {
    const { checked, missing, different, unreadable, keptUnindexed } = this;
    return {
      report: {
        checked,
        ...(mirrorDocuments === undefined ? {} : { mirrorDocuments }),
        missing,
        extra,
        different,
        unreadable,
        keptUnindexed,
        sampled,
        matches: missing.length + extra.length + different.length === 0,
      },
      keys: this.keys,
    };
  }
}

/** An item without the named attributes (own properties only: `__proto__` is a name like any other). */
function without(item: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  return names.length === 0 ? item : Object.fromEntries(Object.entries(item).filter(([name]) => !names.includes(name)));
}
