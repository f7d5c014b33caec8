/**
 * What the function answers the event source for a batch: a partial batch response naming the
 * records to retry, or a thrown error (the whole batch is retried) when asked for, or when a
 * record to retry cannot be named by sequence number (a manual record, a malformed one).
 */
import type { DynamoDBBatchResponse } from 'aws-lambda';
import type { FailureReporting } from '../settings';
import type { RecordFailure } from './batch-ledger';

export class BatchRetryError extends Error {
  constructor(failures: readonly RecordFailure[], records: number) {
    super(`${failures.length} of ${records} record(s) must be retried; first: ${failures[0].reason}`);
    this.name = 'BatchRetryError';
  }
}

/** The response for these failures; throws BatchRetryError when the whole batch must be retried. */
export function batchResponse(failures: readonly RecordFailure[], records: number, reporting: FailureReporting): DynamoDBBatchResponse {
  if (failures.length > 0 && (reporting === 'error' || failures.some((failure) => failure.sequenceNumber === undefined))) {
    throw new BatchRetryError(failures, records);
  }
  return { batchItemFailures: failures.map((failure) => ({ itemIdentifier: failure.sequenceNumber! })) };
}
