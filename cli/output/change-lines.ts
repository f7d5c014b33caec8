/**
 * How the CLI shows changes to people: one line per change (tail), or a change with its
 * attribute diff (history). Values are plain JSON, not DynamoDB JSON.
 */
import { type ChangeLogDocument, type ImageField, type AttributeMap, diffItems, type ItemDiff } from '../../lambda/core';
import { keyText } from '../../lambda/adapters/opensearch';

/** An image of a change-log document, wherever it is kept (indexed or unindexed). */
export function imageOf(document: ChangeLogDocument, field: ImageField): AttributeMap | undefined {
  return document[field] ?? document.unindexed?.[field];
}

export function diffOf(document: ChangeLogDocument): ItemDiff {
  switch (document.event_name) {
    case 'INSERT':
    case 'SNAPSHOT':
      return diffItems(undefined, imageOf(document, 'data'));
    case 'MODIFY':
      return diffItems(imageOf(document, 'old_data'), imageOf(document, 'new_data'));
    default:
      return diffItems(imageOf(document, 'deleted_data'), undefined);
  }
}

function marks(document: ChangeLogDocument): string {
  return [document.manual ? ' (manual)' : '', document.ttl_expired ? ' (TTL expiry)' : ''].join('');
}

/** `time  EVENT  key  [what changed]`: one line, for following the log. */
export function changeLine(document: ChangeLogDocument): string {
  const head = `${document.timestamp}  ${document.event_name.padEnd(6)}  ${keyText(document.keys)}${marks(document)}`;
  if (document.event_name !== 'MODIFY') return head;
  const diff = diffOf(document);
  const parts = [
    ...diff.changed.map((change) => `${change.attribute}: ${change.before} → ${change.after}`),
    ...diff.added.map((change) => `+${change.attribute}: ${change.after}`),
    ...diff.removed.map((change) => `-${change.attribute}`),
  ];
  return parts.length > 0 ? `${head}  ${parts.join(', ')}` : `${head}  (no attribute changed)`;
}

/** A change and, under it, each attribute added (+), changed (~) or removed (-). */
export function changeBlock(document: ChangeLogDocument): string[] {
  const diff = diffOf(document);
  return [
    `${document.timestamp}  ${document.event_name}${marks(document)}`,
    ...diff.added.map((change) => `    + ${change.attribute} = ${change.after}`),
    ...diff.changed.map((change) => `    ~ ${change.attribute}: ${change.before} → ${change.after}`),
    ...diff.removed.map((change) => `    - ${change.attribute} = ${change.before}${document.event_name === 'REMOVE' ? '  (deleted)' : ''}`),
  ];
}

/** The same, for scripts. */
export function changeJson(document: ChangeLogDocument): object {
  return {
    timestamp: document.timestamp,
    event: document.event_name,
    key: keyText(document.keys),
    ...(document.manual ? { manual: true } : {}),
    ...(document.ttl_expired ? { ttl_expired: true } : {}),
    ...diffOf(document),
  };
}
