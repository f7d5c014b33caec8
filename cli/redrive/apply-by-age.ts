/**
 * Applies re-driven records under the age rule (age-rule.ts): recent records the whole way, old
 * ones to the change log only, then their items' mirror put right from the table.
 */
import {
  documentId,
  KeyMismatchError,
  MalformedRecordError,
  toChangeRecord,
  type ChangeOrigin,
  type RawStreamRecord,
} from '../../lambda/core';
import { applyChanges, type PipelineSettings } from '../../lambda/pipeline';
import type { Difference, RepairResult } from '../sync';
import { isOldRecord, redriveCutoff } from './age-rule';
import type { RedriveDependencies } from './redrive';

/** Why a record was not written whole: to be tried again, or refused again (a dead letter holds it now). */
export interface NotDone {
  readonly reason: string;
  readonly refused: boolean;
}

export interface RecordsOutcome {
  /** By position in the records given. */
  readonly notDone: Map<number, NotDone>;
  /** Records that went to the change log only. */
  readonly old: number;
  /** Their items, put right from the table. */
  readonly items: number;
  readonly repaired: number;
}

/**
 * A record whose key names no item (malformed, or keys not of the key schema) goes the whole way
 * whatever its age: the pipeline refuses it, or its mirror part, as a dead letter saying what to
 * fix, and it never reaches the mirror.
 */
export async function applyByAge(records: readonly RawStreamRecord[], deps: RedriveDependencies, now: Date): Promise<RecordsOutcome> {
  const cutoff = redriveCutoff(now, deps.tombstoneRetentionHours);
  const whole: number[] = [];
  const changeLogOnly: number[] = [];
  const items = new Map<string, Difference>();
  records.forEach((record, position) => {
    const item = isOldRecord(record, cutoff) ? itemOrUndefined(record, deps, now) : undefined;
    if (item === undefined) return void whole.push(position);
    changeLogOnly.push(position);
    items.set(item.id, item);
  });
  const notDone = new Map<number, NotDone>();
  await applyAt(whole, records, deps.settings, deps, notDone);
  await applyAt(changeLogOnly, records, { ...deps.settings, writeMirror: false }, deps, notDone);
  const repaired = await putItemsRight([...items.values()], changeLogOnly, deps, notDone);
  return { notDone, old: changeLogOnly.length, items: items.size, repaired };
}

/** The item a record is about: its document id and key. Throws MalformedRecordError or KeyMismatchError when it names none. */
export function itemOf(
  record: RawStreamRecord,
  deps: RedriveDependencies,
  now: Date,
  origin?: Extract<ChangeOrigin, 'repair'>,
): Difference {
  const key = toChangeRecord(record, { receivedAt: now, tableName: deps.tableName, origin }).keys;
  return { id: documentId(key, deps.settings.keySchema), key };
}

export function namesNoItem(error: unknown): error is MalformedRecordError | KeyMismatchError {
  return error instanceof MalformedRecordError || error instanceof KeyMismatchError;
}

function itemOrUndefined(record: RawStreamRecord, deps: RedriveDependencies, now: Date): Difference | undefined {
  try {
    return itemOf(record, deps, now);
  } catch (error) {
    if (namesNoItem(error)) return undefined;
    throw error;
  }
}

async function applyAt(
  positions: readonly number[],
  records: readonly RawStreamRecord[],
  settings: PipelineSettings,
  deps: RedriveDependencies,
  notDone: Map<number, NotDone>,
): Promise<void> {
  if (positions.length === 0) return;
  const result = await applyChanges(
    positions.map((position) => records[position]),
    settings,
    deps.port,
  );
  for (const letter of result.deadLettered)
    notDone.set(positions[letter.position], { reason: `still refused: ${letter.reason}`, refused: true });
  for (const failure of result.failures) notDone.set(positions[failure.position], { reason: failure.reason, refused: false });
}

/**
 * Repairs these items from the table (verify --repair's rule); when that fails, the records at
 * `positions` are not done. Returns how many documents were written or deleted.
 */
export async function putItemsRight(
  items: readonly Difference[],
  positions: readonly number[],
  deps: RedriveDependencies,
  notDone: Map<number, NotDone>,
): Promise<number> {
  if (items.length === 0) return 0;
  let result: RepairResult | undefined;
  let problem: string | undefined;
  try {
    result = await deps.repairMirror(items);
    problem = repairProblem(result);
  } catch (error) {
    problem = `putting the mirror right from the table failed: ${(error as Error).message}`;
  }
  if (problem !== undefined)
    for (const position of positions) if (!notDone.has(position)) notDone.set(position, { reason: problem, refused: false });
  return result?.repaired ?? 0;
}

function repairProblem(result: RepairResult): string | undefined {
  if (result.failed.length + result.unreadable.length === 0) return undefined;
  const cause = result.failed[0] ?? `${result.unreadable[0]}: an attribute named __proto__, which the AWS SDK reads without its value`;
  return `the mirror of its item could not be put right from the table (${cause}); run again, or cdc verify --repair`;
}
