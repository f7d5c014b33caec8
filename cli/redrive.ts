/**
 * Re-drive: records that exhausted their retries (pointers on the SQS dead-letter queue) and
 * records OpenSearch refused (the dead-letter index) go through applyChanges again, the same
 * code path as the function. A DLQ message or a dead letter is deleted only after all of its
 * records are safely written; running it twice changes nothing the second time.
 */
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DeleteMessageCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Client } from '@opensearch-project/opensearch';
import { OpenSearchPort } from '../lambda/adapters/opensearch';
import type { RawStreamRecord } from '../lambda/core/change-record';
import { applyChanges, type ApplySettings } from '../lambda/sync/apply-changes';
import { parseFailurePointer, readStreamRange } from './stream-range';

export interface RedriveReport {
  messages: number;
  messagesDeleted: number;
  records: number;
  deadLetters: number;
  deadLettersCleared: number;
  problems: string[];
}

export interface RedriveDependencies {
  readonly sqs: SQSClient;
  readonly streams: DynamoDBStreamsClient;
  readonly search: Client;
  readonly settings: ApplySettings;
  readonly log: (line: string) => void;
}

export async function redriveQueue(queueName: string, deps: RedriveDependencies, report: RedriveReport): Promise<void> {
  const { QueueUrl } = await deps.sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
  const port = new OpenSearchPort(deps.search);
  for (;;) {
    const { Messages } = await deps.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 300 }));
    if (!Messages || Messages.length === 0) return;
    for (const message of Messages) {
      report.messages++;
      try {
        const range = parseFailurePointer(message.Body ?? '');
        const records = await readStreamRange(deps.streams, range);
        const result = await applyChanges(records as RawStreamRecord[], deps.settings, port);
        report.records += records.length;
        if (result.failures.length > 0) {
          report.problems.push(`message ${message.MessageId}: ${result.failures.length} record(s) still failing (${result.failures[0].reason}); kept on the queue`);
          continue;
        }
        await deps.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
        report.messagesDeleted++;
        deps.log(`  re-drove ${records.length} record(s) of ${range.shardId} ${range.startSequenceNumber}..${range.endSequenceNumber}`);
      } catch (error) {
        report.problems.push(`message ${message.MessageId}: ${(error as Error).message}; kept on the queue`);
      }
    }
  }
}

export async function redriveDeadLetters(deps: RedriveDependencies, report: RedriveReport): Promise<void> {
  const index = deps.settings.deadLetterIndex;
  const exists = await deps.search.indices.exists({ index });
  if (!exists.body) return;
  await deps.search.indices.refresh({ index });
  const response = await deps.search.search({ index, body: { size: 10_000, sort: [{ failed_at: 'asc' }] } as never });
  const hits = response.body.hits.hits as { _id: string; _source: { record_json: string } }[];
  if (hits.length === 0) return;
  report.deadLetters += hits.length;
  const records = hits.map((hit) => JSON.parse(hit._source.record_json) as RawStreamRecord);
  const result = await applyChanges(records, deps.settings, new OpenSearchPort(deps.search));
  const stillFailing = new Set([...result.failures.map((failure) => failure.position), ...result.deadLettered.map((letter) => letter.position)]);
  for (const letter of result.deadLettered) report.problems.push(`dead letter ${hits[letter.position]._id}: still refused: ${letter.reason}`);
  for (const failure of result.failures) report.problems.push(`dead letter ${hits[failure.position]._id}: ${failure.reason}; kept`);
  const cleared = hits.filter((_, position) => !stillFailing.has(position));
  if (cleared.length > 0) {
    await deps.search.bulk({ body: cleared.map((hit) => ({ delete: { _index: index, _id: hit._id } })) as never, refresh: true });
  }
  report.deadLettersCleared += cleared.length;
}
