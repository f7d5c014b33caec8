/**
 * What a change did to an item, attribute by attribute, with values shown as plain JSON text
 * (numbers exact), not DynamoDB JSON: for people reading an item's history.
 */
import type { AttributeMap } from './change-record';
import { stringifyLossless } from './lossless-json';
import { toPlainJson } from './mirror-document';

export interface AttributeChange {
  readonly attribute: string;
  /** Absent when the attribute was added. */
  readonly before?: string;
  /** Absent when the attribute was removed. */
  readonly after?: string;
}

export interface ItemDiff {
  readonly added: AttributeChange[];
  readonly removed: AttributeChange[];
  readonly changed: AttributeChange[];
}

/** Attribute by attribute, by name (images do not keep one order: DynamoDB Local's differs from AWS's). */
export function diffItems(before: AttributeMap | undefined, after: AttributeMap | undefined): ItemDiff {
  const old = plainTexts(before);
  const now = plainTexts(after);
  const diff: ItemDiff = { added: [], removed: [], changed: [] };
  for (const [attribute, value] of now) {
    const previous = old.get(attribute);
    if (previous === undefined) diff.added.push({ attribute, after: value });
    else if (previous !== value) diff.changed.push({ attribute, before: previous, after: value });
  }
  for (const [attribute, value] of old) if (!now.has(attribute)) diff.removed.push({ attribute, before: value });
  return diff;
}

/** Each attribute's value as plain JSON text. */
export function plainTexts(image: AttributeMap | undefined): Map<string, string> {
  const plain = toPlainJson(image ?? {});
  return new Map(
    Object.keys(plain)
      .sort()
      .map((attribute) => [attribute, stringifyLossless(plain[attribute])]),
  );
}
