/**
 * Re-drive: records that exhausted their retries (pointers on the SQS dead-letter queue) and
 * records OpenSearch refused (the dead-letter index) go through applyChanges again, the same
 * code path as the function. A DLQ message or a dead letter is deleted only after all of its
 * records are safely written; running it twice changes nothing the second time.
 */
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetterStore } from '../../lambda/adapters/opensearch';
import type { RawStreamRecord } from '../../lambda/core/change-record';
import { applyChanges, type PipelineSettings } from '../../lambda/pipeline/apply-changes';
import type { SearchPort } from '../../lambda/pipeline/search-port';
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
    const { Messages } = await deps.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 300 }));
    const fresh = (Messages ?? []).filter((message) => !seen.has(message.MessageId ?? ''));
    if (fresh.length === 0) return;
    for (const message of fresh) {
      seen.add(message.MessageId ?? '');
      report.messages++;
      const problem = await redriveMessage(queueUrl, message, deps, report);
      if (problem === undefined) continue;
      report.problems.push(`message ${message.MessageId}: ${problem}; kept on the queue`);
      // Visible again at once: the next run (after the cause is fixed) finds it, not in 5 minutes.
      await deps.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 })).catch(() => undefined);
    }
  }
}

/** Re-applies one pointer; deletes the message when every record is written, else says why not. */
async function redriveMessage(queueUrl: string, message: Message, deps: RedriveDependencies, report: RedriveReport): Promise<string | undefined> {
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

export async function redriveDeadLetters(deps: RedriveDependencies, report: RedriveReport): Promise<void> {
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
  const records = [...groups.values()];
  const result = await applyChanges(records.map((group) => group.record), deps.settings, deps.port);
  const stillFailing = new Set([...result.failures.map((failure) => failure.position), ...result.deadLettered.map((letter) => letter.position)]);
  for (const letter of result.deadLettered) report.problems.push(`dead letter ${records[letter.position].ids[0]}: still refused: ${letter.reason}`);
  for (const failure of result.failures) report.problems.push(`dead letter ${records[failure.position].ids[0]}: ${failure.reason}; kept`);
  const cleared = records.filter((_, position) => !stillFailing.has(position)).flatMap((group) => group.ids);
  await deps.deadLetters.delete(cleared);
  report.deadLettersCleared += cleared.length;
}
