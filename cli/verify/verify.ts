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

/** Reads the table's key types (a key schema that does not match is said first), then compares: the given keys, a sample, or everything. */
export async function verify(options: VerifyOptions): Promise<VerifyResult> {
  await tableKeyTypes(options.dynamo, options.tableName, options.keySchema);
  const comparison = new Comparison(options.mirror, options.keySchema);
  if (options.only !== undefined) return verifyKeys(options, options.only, comparison);
  if (options.sample === undefined) return verifyWholeTable(options, comparison);
  return verifySample(options, options.sample, comparison);
}

/** The items of these keys; a key whose item is gone from the table but not from the mirror is an extra. */
async function verifyKeys(options: VerifyOptions, only: readonly AttributeMap[], comparison: Comparison): Promise<VerifyResult> {
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

/** A consistent Scan of the whole table, then every mirror document not seen in it is an extra. */
async function verifyWholeTable(options: VerifyOptions, comparison: Comparison): Promise<VerifyResult> {
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
    await comparison.checkPage((page.Items ?? []) as AttributeMap[]);
    startKey = page.LastEvaluatedKey as never;
  } while (startKey);
  const extra: string[] = [];
  let mirrorDocuments = 0;
  for await (const ids of options.mirror.ids()) {
    mirrorDocuments += ids.length;
    for (const id of ids) if (!comparison.seen.has(id)) extra.push(id);
  }
  return comparison.result({ mirrorDocuments, extra, sampled: false });
}

/** A sample: whole Scan segments out of many, picked at random, until enough items are checked (extras are not looked for). */
async function verifySample(options: VerifyOptions, sample: number, comparison: Comparison): Promise<VerifyResult> {
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

/** What the items checked so far showed: which are missing from the mirror, which differ, which were read without an attribute. */
class Comparison {
  readonly missing: string[] = [];
  readonly different: string[] = [];
  readonly unreadable: string[] = [];
  readonly seen = new Set<string>();
  readonly keys = new Map<string, AttributeMap>();
  checked = 0;

  constructor(
    private readonly mirror: MirrorReader,
    private readonly keySchema: KeySchema,
  ) {}

  /** One page of table items against their mirror documents, read in one request. */
  async checkPage(page: AttributeMap[]): Promise<void> {
    // As the pipeline sees them: binary as base64 (the SDK gives bytes). An attribute the AWS SDK
    // read without its value (one named `__proto__`) is left out of the comparison, on both sides.
    const entries = page.map((item) => {
      const lost = unreadableAttributes(item);
      const image = toChangeRecord(snapshotRecord(without(item, lost) as AttributeMap, this.keySchema), {
        receivedAt: new Date(),
      }).newImage!;
      return { image, lost, id: documentId(keyAttributes(image, this.keySchema), this.keySchema) };
    });
    const mirrored = await this.mirror.items(entries.map(({ id }) => id));
    for (const { image, lost, id } of entries) {
      this.seen.add(id);
      this.checked++;
      if (lost.length > 0) this.unreadable.push(id);
      const found = mirrored.get(id);
      if (found && canonicalMirrorItem(without(found.item, lost), image) === canonicalItem(image)) continue;
      (found ? this.different : this.missing).push(id);
      this.keys.set(id, keyAttributes(image, this.keySchema));
    }
  }

  /** The report (its fields in this order, as `--json` prints them) and the keys to repair. */
  result(how: { readonly mirrorDocuments?: number; readonly extra: string[]; readonly sampled: boolean }): VerifyResult {
    const { checked, missing, different, unreadable } = this;
    return {
      report: {
        checked,
        ...(how.mirrorDocuments === undefined ? {} : { mirrorDocuments: how.mirrorDocuments }),
        missing,
        extra: how.extra,
        different,
        unreadable,
        sampled: how.sampled,
        matches: missing.length + how.extra.length + different.length === 0,
      },
      keys: this.keys,
    };
  }
}

/** An item without the named attributes (own properties only: `__proto__` is a name like any other). */
function without(item: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  return names.length === 0 ? item : Object.fromEntries(Object.entries(item).filter(([name]) => !names.includes(name)));
}
