/**
 * Verify: the table against the mirror, item by item. Missing (in the table, not in the mirror),
 * extra (in the mirror, not in the table) and different (by content: numbers by value with every
 * digit, sets in any order). A whole run also lists extras; a sample does not.
 *
 * With several mirrors (routing), each index is compared with what it should hold (its
 * MirrorCheck says so per item, after the same routing as the stream's): an item that does not
 * belong to an index and is there is extra in it, like a document whose item is gone.
 */
import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { MirrorReader } from '../../lambda/adapters/opensearch';
import {
  type AttributeMap,
  type ChangeRecord,
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
  /** Items whose document the mirror's transform cannot make (it throws): `id: message`; the stream dead-letters them too. */
  readonly transformFailed?: string[];
  /** Documents of deleted items the index keeps by its settings (no REMOVE, or a transform's archive): a note, not a difference. */
  readonly archived?: string[];
  /** Why the index is not compared: it takes some operations only, so what it holds depends on history a Scan cannot see. */
  readonly notCompared?: string;
  readonly sampled: boolean;
  readonly matches: boolean;
}

export interface VerifyResult {
  readonly report: VerifyReport;
  /** The key of each missing and different item, as read from the table (for a repair). */
  readonly keys: ReadonlyMap<string, AttributeMap>;
}

/** What a mirror index should hold for an item: this image, nothing (the item does not belong there), or a transform's failure. */
export type Expectation = { readonly image: AttributeMap } | { readonly absent: true } | { readonly failed: string };

/** One mirror index to compare, and what it should hold for each table item (read as the pipeline reads it: a SNAPSHOT). */
export interface MirrorCheck {
  readonly index: string;
  readonly reader: MirrorReader;
  readonly expect: (record: ChangeRecord) => Expectation;
  /**
   * Which documents of deleted items the index keeps: every one (it does not take REMOVE), or
   * those a transform kept (`_cdc.removed`). By default none: each is extra.
   */
  readonly archives?: 'every' | 'marked';
  /** Set when the index cannot be compared with the table, saying why. */
  readonly notComparable?: string;
}

/** One index's verdict. */
export interface IndexVerifyResult extends VerifyResult {
  readonly index: string;
}

export interface VerifyOptions extends TableOptions {
  readonly mirror: MirrorReader;
}

/** The table, and which of its items to check. */
interface TableOptions {
  readonly dynamo: DynamoDBClient;
  readonly tableName: string;
  readonly keySchema: KeySchema;
  /** Check about this many items, from Scan segments picked at random; undefined checks all. */
  readonly sample?: number;
  /** Check only the items of these keys (after a repair); extras among them are found too. */
  readonly only?: readonly AttributeMap[];
  readonly pageSize?: number;
}

const SAMPLE_SEGMENTS = 1000;

/** The one mirror, which takes every item whole. */
export async function verify(options: VerifyOptions): Promise<VerifyResult> {
  const [result] = await verifyMirrors({ ...options, mirrors: [{ index: '', reader: options.mirror, expect: wholeItem }] });
  return result;
}

/** The one mirror's expectation: every item, whole. */
export const wholeItem = (record: ChangeRecord): Expectation => ({ image: record.newImage! });

/** Each mirror index against the items that belong to it, from one pass over the table. */
export async function verifyMirrors(options: TableOptions & { readonly mirrors: readonly MirrorCheck[] }): Promise<IndexVerifyResult[]> {
  await tableKeyTypes(options.dynamo, options.tableName, options.keySchema);
  const comparisons = new Comparisons(options.mirrors.map((check) => new Comparison(check, options.keySchema)));
  if (options.only !== undefined) return verifyOnly(options.only, comparisons, options);
  if (options.sample === undefined) return verifyAll(comparisons, options);
  return verifySample(options.sample, comparisons, options);
}

/** The items of these keys (after a repair); extras among them are found too. */
async function verifyOnly(only: readonly AttributeMap[], comparisons: Comparisons, options: TableOptions): Promise<IndexVerifyResult[]> {
  const extra = comparisons.each(() => [] as string[]);
  for (const key of only) {
    const item = await readItem(options.dynamo, options.tableName, key);
    if (item !== undefined) await comparisons.checkPage([item]);
    else {
      const id = documentId(key, options.keySchema);
      for (const [position, { check }] of comparisons.all.entries()) if ((await check.reader.items([id])).has(id)) extra[position].push(id);
    }
  }
  const found = await Promise.all(comparisons.all.map((comparison, position) => withoutArchives(comparison.check, extra[position])));
  return comparisons.results((_, position) => ({ ...found[position], sampled: true }));
}

/** The whole table, then every document of each mirror for extras. */
async function verifyAll(comparisons: Comparisons, options: TableOptions): Promise<IndexVerifyResult[]> {
  let startKey: Record<string, never> | undefined;
  do {
    const page = await options.dynamo.send(
      new ScanCommand({ TableName: options.tableName, ExclusiveStartKey: startKey, Limit: options.pageSize ?? 500, ConsistentRead: true }),
    );
    await comparisons.checkPage((page.Items ?? []) as AttributeMap[]);
    startKey = page.LastEvaluatedKey as never;
  } while (startKey);
  const found: { extra: string[]; archived: string[]; mirrorDocuments: number }[] = [];
  for (const comparison of comparisons.all) {
    const extra: string[] = [];
    let mirrorDocuments = 0;
    for await (const ids of comparison.check.reader.ids()) {
      mirrorDocuments += ids.length;
      for (const id of ids) if (!comparisons.seen.has(id)) extra.push(id);
    }
    found.push({ ...(await withoutArchives(comparison.check, extra)), mirrorDocuments });
  }
  return comparisons.results((_, position) => ({ ...found[position], sampled: false }));
}

/** Documents with no item behind them: those the index keeps by its settings are archived, the others extra. */
async function withoutArchives(check: MirrorCheck, ids: string[]): Promise<{ extra: string[]; archived: string[] }> {
  if (check.notComparable !== undefined) return { extra: [], archived: [] };
  if (check.archives === undefined || ids.length === 0) return { extra: ids, archived: [] };
  if (check.archives === 'every') return { extra: [], archived: ids };
  const archived = new Set<string>();
  for (let start = 0; start < ids.length; start += ARCHIVE_READS) {
    const found = await check.reader.items(ids.slice(start, start + ARCHIVE_READS));
    for (const [id, document] of found) if (document.keptOnRemove) archived.add(id);
  }
  return { extra: ids.filter((id) => !archived.has(id)), archived: [...archived] };
}

/** Documents read at once to tell a transform's archives from extras. */
const ARCHIVE_READS = 500;

/** A sample: whole Scan segments out of many, picked at random, until enough items are checked (extras are not looked for). */
async function verifySample(sample: number, comparisons: Comparisons, options: TableOptions): Promise<IndexVerifyResult[]> {
  const order = [...Array(SAMPLE_SEGMENTS).keys()].sort(() => Math.random() - 0.5);
  for (const segment of order) {
    if (comparisons.checked >= sample) break;
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
      await comparisons.checkPage(((page.Items ?? []) as AttributeMap[]).slice(0, sample - comparisons.checked));
      startKey = page.LastEvaluatedKey as never;
    } while (startKey && comparisons.checked < sample);
  }
  return comparisons.results(() => ({ extra: [], sampled: true }));
}

/** A table item as the pipeline reads it, and what the comparison leaves out of it. */
interface Entry {
  readonly id: string;
  readonly record: ChangeRecord;
  /** Attributes the AWS SDK read without their value (`__proto__`): left out on both sides. */
  readonly lost: string[];
}

/** Every mirror's comparison, fed the same pages. */
class Comparisons {
  readonly seen = new Set<string>();
  checked = 0;

  constructor(readonly all: readonly Comparison[]) {}

  each<T>(make: (comparison: Comparison) => T): T[] {
    return this.all.map(make);
  }

  async checkPage(page: AttributeMap[]): Promise<void> {
    const keySchema = this.all[0].keySchema;
    // As the pipeline sees them: binary as base64 (the SDK gives bytes). An attribute the AWS SDK
    // read without its value (one named `__proto__`) is left out of the comparison, on both sides.
    const entries = page.map((item): Entry => {
      const lost = unreadableAttributes(item);
      const record = toChangeRecord(snapshotRecord(without(item, lost) as AttributeMap, keySchema), { receivedAt: new Date() });
      return { record, lost, id: documentId(keyAttributes(record.newImage!, keySchema), keySchema) };
    });
    for (const { id } of entries) this.seen.add(id);
    this.checked += entries.length;
    for (const comparison of this.all) await comparison.checkEntries(entries);
  }

  results(rest: (comparison: Comparison, position: number) => ResultRest): IndexVerifyResult[] {
    return this.all.map((comparison, position) => ({ index: comparison.check.index, ...comparison.result(rest(comparison, position)) }));
  }
}

interface ResultRest {
  readonly extra: string[];
  readonly archived?: string[];
  readonly mirrorDocuments?: number;
  readonly sampled: boolean;
}

/** The table's items compared with one mirror's, a page at a time. */
class Comparison {
  readonly missing: string[] = [];
  readonly different: string[] = [];
  /** Documents of items that are in the table but do not belong in this index. */
  readonly misplaced: string[] = [];
  readonly unreadable: string[] = [];
  readonly keptUnindexed: string[] = [];
  readonly transformFailed: string[] = [];
  readonly keys = new Map<string, AttributeMap>();
  checked = 0;

  constructor(
    readonly check: MirrorCheck,
    readonly keySchema: KeySchema,
  ) {}

  async checkEntries(entries: readonly Entry[]): Promise<void> {
    if (this.check.notComparable !== undefined) {
      this.checked += entries.length;
      return;
    }
    const mirrored = await this.check.reader.items(entries.map(({ id }) => id));
    for (const { record, lost, id } of entries) {
      this.checked++;
      if (lost.length > 0) this.unreadable.push(id);
      const found = mirrored.get(id);
      const expected = this.check.expect(record);
      if ('failed' in expected) {
        this.transformFailed.push(`${id}: ${expected.failed}`);
        continue;
      }
      if (found?.unindexedReason !== undefined && 'image' in expected) this.keptUnindexed.push(id);
      if ('absent' in expected) {
        if (found) this.differs(this.misplaced, id, record);
        continue;
      }
      if (found && canonicalMirrorItem(without(found.item, lost), expected.image) === canonicalItem(expected.image)) continue;
      this.differs(found ? this.different : this.missing, id, record);
    }
  }

  private differs(list: string[], id: string, record: ChangeRecord): void {
    list.push(id);
    this.keys.set(id, keyAttributes(record.newImage!, this.keySchema));
  }

  result({ extra, archived = [], mirrorDocuments, sampled }: ResultRest): VerifyResult {
    const { checked, missing, different, unreadable, keptUnindexed, transformFailed } = this;
    const extras = [...this.misplaced, ...extra];
    return {
      report: {
        checked,
        ...(mirrorDocuments === undefined ? {} : { mirrorDocuments }),
        missing,
        extra: extras,
        different,
        unreadable,
        keptUnindexed,
        ...(transformFailed.length === 0 ? {} : { transformFailed }),
        ...(archived.length === 0 ? {} : { archived }),
        ...(this.check.notComparable === undefined ? {} : { notCompared: this.check.notComparable }),
        sampled,
        matches: missing.length + extras.length + different.length + transformFailed.length === 0,
      },
      keys: this.keys,
    };
  }
}

/** An item without the named attributes (own properties only: `__proto__` is a name like any other). */
function without(item: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  return names.length === 0 ? item : Object.fromEntries(Object.entries(item).filter(([name]) => !names.includes(name)));
}
