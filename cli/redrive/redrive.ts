/**
 * Re-drive: records that exhausted their retries (pointers on the SQS dead-letter queue) and
 * records OpenSearch refused (the dead-letter index) go through applyChanges again, the same
 * code path as the function, under the age rule (age-rule.ts). A DLQ message or a dead letter is
 * deleted only after all of its records are safely written; running it twice changes nothing the
 * second time.
 */
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetterSource } from '../../lambda/adapters/opensearch';
import type { PipelineSettings, SearchPort } from '../../lambda/pipeline';
import type { Difference, RepairResult } from '../sync';
import type { ReadOptions } from './stream-range';

export interface RedriveReport {
  messages: number;
  messagesDeleted: number;
  records: number;
  deadLetters: number;
  deadLettersCleared: number;
  /** One line per message or dead letter kept, with why: the run exits non-zero when there is any. */
  problems: string[];
}

export function emptyReport(): RedriveReport {
  return { messages: 0, messagesDeleted: 0, records: 0, deadLetters: 0, deadLettersCleared: 0, problems: [] };
}

export interface RedriveDependencies {
  /** The maintenance purges tombstones older than this: it sets the age rule's cutoff. */
  readonly tombstoneRetentionHours: number;
  /** Puts the mirror right for these items from the table (verify --repair's rule). */
  readonly repairMirror: (items: readonly Difference[]) => Promise<RepairResult>;
  readonly sqs: SQSClient;
  readonly streams: DynamoDBStreamsClient;
  readonly port: SearchPort;
  readonly deadLetters: DeadLetterSource;
  readonly settings: PipelineSettings;
  readonly tableName: string;
  readonly log: (line: string) => void;
  readonly readOptions?: Partial<ReadOptions>;
  /** The time now (tests pass their own clock). */
  readonly clock?: () => Date;
}

/** The time the age rule measures against: read it after the records are read, never before. */
export function timeNow(deps: Pick<RedriveDependencies, 'clock'>): Date {
  return deps.clock ? deps.clock() : new Date();
}
