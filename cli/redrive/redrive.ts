/**
 * Re-drive: records that exhausted their retries (pointers on the SQS dead-letter queue) and
 * records OpenSearch refused (the dead-letter index) go through applyChanges again, the same
 * code path as the function. A DLQ message or a dead letter is deleted only after all of its
 * records are safely written; running it twice changes nothing the second time.
 */
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { DeadLetterStore } from '../../lambda/adapters/opensearch';
import { recordCreationTime, toChangeRecord, type RawStreamRecord, documentId } from '../../lambda/core';
import { applyChanges, type PipelineSettings, type SearchPort } from '../../lambda/pipeline';
import type { Difference, RepairResult } from '../sync';
import { parseFailurePointer, readStreamRange, type ReadOptions } from './stream-range';

export interface RedriveReport {
  messages: number;
  messagesDeleted: number;
  records: number;
  deadLetters: number;
  deadLettersCleared: number;
  problems: string[];
}

export function emptyReport(): RedriveReport {
  return { messages: 0, messagesDeleted: 0, records: 0, deadLetters: 0, deadLettersCleared: 0, problems: [] };
}

export interface RedriveDependencies {
  /** Dead letters of changes older than this are re-driven to the change log only (see redriveDeadLetters). */
  readonly tombstoneRetentionHours: number;
  /** Puts the mirror right for these items from the table (verify --repair's rule). */
  readonly repairMirror: (items: readonly Difference[]) => Promise<RepairResult>;
  readonly sqs: SQSClient;
  readonly streams: DynamoDBStreamsClient;
  readonly port: SearchPort;
  readonly deadLetters: DeadLetterStore;
  readonly settings: PipelineSettings;
  readonly tableName: string;
  readonly log: (line: string) => void;
  readonly readOptions?: Partial<ReadOptions>;
}

export async function redriveQueue(queueUrl: string, deps: RedriveDependencies, report: RedriveReport): Promise<void> {
  const seen = new Set<string>();
  for (;;) {
    const { Messages } = await deps.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 300 }),
    );
    const fresh = (Messages ?? []).filter((message) => !seen.has(message.MessageId ?? ''));
    if (fresh.length === 0) return;
    for (const message of fresh) {
      seen.add(message.MessageId ?? '');
      report.messages++;
      const problem = await redriveMessage(queueUrl, message, deps, report);
      if (problem === undefined) continue;
      report.problems.push(`message ${message.MessageId}: ${problem}; kept on the queue`);
      // Visible again at once: the next run (after the cause is fixed) finds it, not in 5 minutes.
      await deps.sqs
        .send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 }))
        .catch(() => undefined);
    }
  }
}

/** Re-applies one pointer; deletes the message when every record is written, else says why not. */
async function redriveMessage(
  queueUrl: string,
  message: Message,
  deps: RedriveDependencies,
  report: RedriveReport,
): Promise<string | undefined> {
  try {
    const range = parseFailurePointer(message.Body ?? '');
    const read = await readStreamRange(deps.streams, range, deps.readOptions);
    if (!read.complete) return `${read.reason} (run again later)`;
    // Records read from the Streams API do not name their stream: the pointer does.
    const records = read.records.map((record) => ({ ...record, eventSourceARN: range.streamArn }) as RawStreamRecord);
    const result = await applyChanges(records, deps.settings, deps.port);
    report.records += records.length;
    if (result.failures.length > 0) return `${result.failures.length} record(s) still failing (${result.failures[0].reason})`;
    await deps.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    report.messagesDeleted++;
    deps.log(`  re-drove ${records.length} record(s) of ${range.shardId} ${range.startSequenceNumber}..${range.endSequenceNumber}`);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Re-applies the dead letters of this table. A change older than the tombstones' retention may
 * concern an item deleted since whose tombstone is purged: applied to the mirror, it could bring
 * the item back. Such a change goes to the change log only, and the mirror of its item is put right
 * from the table (verify --repair's rule), which holds the item's state now.
 */
export async function redriveDeadLetters(deps: RedriveDependencies, report: RedriveReport, now = new Date()): Promise<void> {
  const others = await deps.deadLetters.countOthers(deps.tableName);
  if (others > 0) deps.log(`  ${others} dead letter(s) of other tables (or of none) left as they are`);
  const letters = await deps.deadLetters.list(deps.tableName);
  if (letters.length === 0) return;
  report.deadLetters += letters.length;
  // One record can have several dead letters (change log and mirror): apply it once.
  const groups = new Map<string, { record: RawStreamRecord; ids: string[] }>();
  for (const letter of letters) {
    const key = JSON.stringify(letter.record);
    groups.set(key, { record: letter.record, ids: [...(groups.get(key)?.ids ?? []), letter.id] });
  }
  const cutoff = now.getTime() - deps.tombstoneRetentionHours * 3_600_000;
  const isOld = (record: RawStreamRecord) => (recordCreationTime(record)?.getTime() ?? now.getTime()) < cutoff;
  const all = [...groups.values()];
  const recent = all.filter((group) => !isOld(group.record));
  const old = all.filter((group) => isOld(group.record));
  await reapply(recent, deps.settings, deps, report);
  const written = await reapply(old, { ...deps.settings, writeMirror: false }, deps, report, false);
  if (written.length === 0) return;
  const items = new Map<string, Difference>();
  for (const group of written) {
    const key = toChangeRecord(group.record, { receivedAt: now, tableName: deps.tableName }).keys;
    const id = documentId(key, deps.settings.keySchema);
    items.set(id, { id, key });
  }
  const repaired = await deps.repairMirror([...items.values()]);
  deps.log(
    `  ${old.length} dead letter(s) older than the tombstones' retention (${deps.tombstoneRetentionHours} h): change log re-driven, the mirror of their ${items.size} item(s) put right from the table (${repaired.repaired} repaired)`,
  );
  if (repaired.failed.length + repaired.unreadable.length > 0) {
    report.problems.push(
      `mirror of old dead letters: ${repaired.failed.length} repair(s) failed (${repaired.failed[0] ?? 'an attribute named __proto__'}); run cdc verify --repair`,
    );
    return;
  }
  await clear(written, deps, report);
}

/** Applies the records of these dead letters; clears those fully written (unless `clearNow` is false) and returns them. */
async function reapply(
  groups: { record: RawStreamRecord; ids: string[] }[],
  settings: PipelineSettings,
  deps: RedriveDependencies,
  report: RedriveReport,
  clearNow = true,
) {
  if (groups.length === 0) return [];
  const result = await applyChanges(
    groups.map((group) => group.record),
    settings,
    deps.port,
  );
  const stillFailing = new Set([
    ...result.failures.map((failure) => failure.position),
    ...result.deadLettered.map((letter) => letter.position),
  ]);
  for (const letter of result.deadLettered)
    report.problems.push(`dead letter ${groups[letter.position].ids[0]}: still refused: ${letter.reason}`);
  for (const failure of result.failures) report.problems.push(`dead letter ${groups[failure.position].ids[0]}: ${failure.reason}; kept`);
  const written = groups.filter((_, position) => !stillFailing.has(position));
  if (clearNow) await clear(written, deps, report);
  return written;
}

async function clear(groups: { ids: string[] }[], deps: RedriveDependencies, report: RedriveReport): Promise<void> {
  const cleared = groups.flatMap((group) => group.ids);
  await deps.deadLetters.delete(cleared);
  report.deadLettersCleared += cleared.length;
}
