/**
 * What must hold once all pending work is drained: the mirror equals the table (compared as
 * `cdc verify` compares, no deleted item present, no item older than the table's), the change log
 * holds every stream change exactly once, and nothing refused was lost from the dead-letter index
 * (each dead letter is still there, or was re-driven and its write is there), the index left empty,
 * and re-drive wrote no change that never happened.
 */
import { canonicalItem, canonicalMirrorItem, documentId, partitionDay } from '../../../lambda/core';
import { INDEXES, MIRROR_INDEX, mirroredItem } from './search-fakes';
import { KEY_SCHEMA } from './table';
import type { Quiescence, World } from './world';

/** All of them (for a look at everything a story breaks). */
export function violations(world: World, quiet: Quiescence): string[] {
  return [...mirrorAgainstTable(world), ...changeLogAgainstStream(world, quiet), ...deadLettersRedriven(world)];
}

export function mirrorAgainstTable(world: World): string[] {
  const found: string[] = [];
  const mirror = world.engine.sources(MIRROR_INDEX);
  const expected = new Map([...world.table.items.values()].map((item) => [documentId({ pk: item.pk }, KEY_SCHEMA), item]));
  for (const [id, item] of expected) {
    const document = mirror[id];
    if (document === undefined) found.push(`mirror: ${id} is missing (the table holds ${describe(item)})`);
    else if (canonicalMirrorItem(mirroredItem(document), item) !== canonicalItem(item))
      found.push(`mirror: ${id} holds ${describeDocument(document)}, the table ${describe(item)}`);
  }
  for (const [id, document] of Object.entries(mirror)) {
    if (!expected.has(id)) found.push(`mirror: ${id} holds ${describeDocument(document)}, but the item is not in the table (deleted)`);
  }
  return found;
}

export function changeLogAgainstStream(world: World, { lost }: Quiescence): string[] {
  const found: string[] = [];
  const times = changeLogIds(world);
  const lostIds = new Set(lost.map((change) => change.eventId));
  for (const change of world.table.changes) {
    const count = times.get(change.eventId) ?? 0;
    if (count > 1) found.push(`change log: ${change.eventId} (${change.eventName} ${change.keys.pk.S}) is there ${count} times`);
    if (count === 0 && !lostIds.has(change.eventId))
      found.push(`change log: ${change.eventId} (${change.eventName} ${change.keys.pk.S}) is missing`);
  }
  return found;
}

/** Every document of the change log's partitions. */
function changeLogDocuments(world: World): { id: string; eventName: string }[] {
  return world.engine
    .indexNames()
    .filter((name) => partitionDay(INDEXES.changeLog, name) !== undefined)
    .flatMap((index) => Object.entries(world.engine.sources(index)).map(([id, source]) => ({ id, eventName: source.event_name })));
}

/** How many times each event id is in the change log's partitions. */
function changeLogIds(world: World): Map<string, number> {
  const times = new Map<string, number>();
  for (const { id } of changeLogDocuments(world)) times.set(id, (times.get(id) ?? 0) + 1);
  return times;
}

export function deadLettersRedriven(world: World): string[] {
  return [...everyDeadLetterRedriven(world), ...nothingInvented(world)];
}

function everyDeadLetterRedriven(world: World): string[] {
  const found: string[] = [];
  const stored = world.engine.sources(INDEXES.deadLetter);
  const inChangeLog = changeLogIds(world);
  for (const letter of world.port.deadLetters.values()) {
    const what = `dead letter ${letter.id} (${letter.target} of ${letter.eventName} ${letter.eventId})`;
    if (Object.hasOwn(stored, letter.id)) found.push(`${what} is still there after the re-drive with nothing refused`);
    else if (!world.deadLetters.cleared.has(letter.id)) found.push(`${what} is gone, never re-driven`);
    else if (letter.target === 'change-log' && !inChangeLog.has(letter.eventId ?? ''))
      found.push(`${what} was cleared, but its change is not in the change log`);
  }
  for (const [id, source] of Object.entries(stored)) {
    if (!world.port.deadLetters.has(id)) found.push(`dead letter ${id} (${source.target}: ${source.reason}) was written outside the port`);
  }
  return found;
}

/** The change log holds changes of the table, records invoked by hand, and (a backfill may be asked for them) snapshots. */
function nothingInvented(world: World): string[] {
  const happened = new Set([...world.table.changes.map((change) => change.eventId), ...world.manualEventIds]);
  return changeLogDocuments(world)
    .filter(({ id, eventName }) => !happened.has(id) && eventName !== 'SNAPSHOT')
    .map(({ id, eventName }) => `change log: ${id} (${eventName}) is neither a change of the table nor a record invoked by hand`);
}

function describe(item: Record<string, any>): string {
  return `version ${item.version.N}`;
}

function describeDocument(document: Record<string, any>): string {
  const item = mirroredItem(document) as Record<string, any>;
  const cdc = document._cdc ?? {};
  return `version ${String(item.version)} (${cdc.event_name} at sequence ${cdc.sequence_number}${cdc.manual ? ', manual' : ''})`;
}
