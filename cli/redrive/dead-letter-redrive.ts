/**
 * Re-drive of the dead-letter index: every dead letter of this table, a page at a time, each by
 * its origin. A letter of a stream, manual or snapshot record (or of unknown origin: written before
 * origins were recorded) is applied again under the age rule; a letter of `cdc verify --repair` is
 * not a change at all but a correction, so its item is repaired again from the table. A letter
 * that cannot be re-driven is reported with why and kept, and the rest go on.
 */
import type { StoredDeadLetter } from '../../lambda/core';
import type { Difference } from '../sync';
import { describeCutoff } from './age-rule';
import { applyByAge, itemOf, namesNoItem, putItemsRight, type NotDone } from './apply-by-age';
import { timeNow, type RedriveDependencies, type RedriveReport } from './redrive';

export async function redriveDeadLetters(deps: RedriveDependencies, report: RedriveReport): Promise<void> {
  const others = await deps.deadLetters.countOthers(deps.tableName);
  if (others > 0)
    deps.log(
      `  ${others} dead letter(s) of other tables, or of none (malformed records, kept only to be read), left as they are: read their reason, and delete them from the dead-letter index once understood`,
    );
  for await (const page of deps.deadLetters.pages(deps.tableName)) {
    report.deadLetters += page.length;
    const now = timeNow(deps); // after the page is read: see the age rule
    const cleared = [
      ...(await redriveByContent(
        page.filter((letter) => letter.origin !== 'repair'),
        deps,
        report,
        now,
      )),
      ...(await redriveRepairs(
        page.filter((letter) => letter.origin === 'repair'),
        deps,
        report,
        now,
      )),
    ];
    await deps.deadLetters.delete(cleared);
    report.deadLettersCleared += cleared.length;
  }
}

/** Applies the letters' records again; returns the ids of the letters whose record is written. */
async function redriveByContent(
  letters: readonly StoredDeadLetter[],
  deps: RedriveDependencies,
  report: RedriveReport,
  now: Date,
): Promise<string[]> {
  if (letters.length === 0) return [];
  const groups = byRecord(letters);
  const outcome = await applyByAge(
    groups.map((group) => group.record),
    deps,
    now,
  );
  if (outcome.old > 0)
    deps.log(
      `  ${outcome.old} dead letter(s) ${describeCutoff(deps.tombstoneRetentionHours)}: change log re-driven, the mirror of their ${outcome.items} item(s) put right from the table (${outcome.repaired} repaired)`,
    );
  return settle(groups, outcome.notDone, report);
}

/** Repairs the letters' items again from the table; returns the ids of the letters whose item is repaired. */
async function redriveRepairs(
  letters: readonly StoredDeadLetter[],
  deps: RedriveDependencies,
  report: RedriveReport,
  now: Date,
): Promise<string[]> {
  if (letters.length === 0) return [];
  const groups = letters.map((letter) => ({ record: letter.record, ids: [letter.id] }));
  const notDone = new Map<number, NotDone>();
  const items = new Map<string, Difference>();
  const repairable: number[] = [];
  groups.forEach((group, position) => {
    try {
      const item = itemOf(group.record, deps, now, 'repair');
      items.set(item.id, item);
      repairable.push(position);
    } catch (error) {
      if (!namesNoItem(error)) throw error;
      notDone.set(position, { reason: `a repair that names no item of ${deps.tableName}: ${error.message}`, refused: true });
    }
  });
  const repaired = await putItemsRight([...items.values()], repairable, deps, notDone);
  if (items.size > 0)
    deps.log(
      `  ${repairable.length} dead letter(s) of cdc verify --repair: their ${items.size} item(s) repaired again from the table (${repaired} repaired)`,
    );
  return settle(groups, notDone, report);
}

/** One record can have several dead letters (change log and mirror): it is applied once. */
function byRecord(letters: readonly StoredDeadLetter[]): { record: StoredDeadLetter['record']; ids: string[] }[] {
  const groups = new Map<string, { record: StoredDeadLetter['record']; ids: string[] }>();
  for (const letter of letters) {
    const key = JSON.stringify(letter.record);
    groups.set(key, { record: letter.record, ids: [...(groups.get(key)?.ids ?? []), letter.id] });
  }
  return [...groups.values()];
}

/** The ids of the letters done; a problem for each letter kept. */
function settle(groups: readonly { ids: string[] }[], notDone: ReadonlyMap<number, NotDone>, report: RedriveReport): string[] {
  const cleared: string[] = [];
  groups.forEach((group, position) => {
    const problem = notDone.get(position);
    if (problem === undefined) return void cleared.push(...group.ids);
    for (const id of group.ids) report.problems.push(`dead letter ${id}: ${problem.reason}; kept`);
  });
  return cleared;
}
