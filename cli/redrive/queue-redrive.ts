/**
 * Re-drive of the SQS dead-letter queue: each message points at a range of the stream, read back
 * and applied under the age rule; the message goes once every record of it is written.
 */
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import type { RawStreamRecord } from '../../lambda/core';
import { describeCutoff } from './age-rule';
import { applyByAge } from './apply-by-age';
import { timeNow, type RedriveDependencies, type RedriveReport } from './redrive';
import { parseFailurePointer, readStreamRange } from './stream-range';

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

/**
 * Re-applies one pointer; deletes the message when every record is written (a record refused
 * again is written too: as a dead letter, as the function would), else says why not.
 */
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
    const now = timeNow(deps); // after the read, which can take a while: see the age rule
    // Records read from the Streams API do not name their stream: the pointer does.
    const records = read.records.map((record) => ({ ...record, eventSourceARN: range.streamArn }) as RawStreamRecord);
    const outcome = await applyByAge(records, deps, now);
    report.records += records.length;
    const failing = [...outcome.notDone.values()].filter((notDone) => !notDone.refused);
    if (failing.length > 0) return `${failing.length} record(s) still failing (${failing[0].reason})`;
    await deps.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    report.messagesDeleted++;
    deps.log(`  re-drove ${records.length} record(s) of ${range.shardId} ${range.startSequenceNumber}..${range.endSequenceNumber}`);
    if (outcome.old > 0)
      deps.log(
        `    ${outcome.old} of them ${describeCutoff(deps.tombstoneRetentionHours)}: change log only, the mirror of their ${outcome.items} item(s) put right from the table (${outcome.repaired} repaired)`,
      );
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
