/**
 * Lambda's event source mapping over the model stream: hands the function batches in order, each
 * retried from its first failed record (partial batch response) up to the retry attempts, then a
 * pointer to the batch goes to the SQS dead-letter queue and the batch is skipped; records older
 * than the maximum record age are skipped to the queue the same way.
 */
import type { ApplyResult } from '../../../lambda/pipeline';
import { STREAM_RETENTION_HOURS, type ModelClock, type ModelTable, type StreamChange } from './table';
import type { FakeQueue } from './aws-fakes';

/** The construct's maxRecordAge default: the stream's retention. */
export const MAX_RECORD_AGE_HOURS = STREAM_RETENTION_HOURS;
export const RETRY_ATTEMPTS = 2;

/** The function: the batch in, which records must be retried out. */
export type FunctionInvoke = (batch: readonly StreamChange[]) => Promise<ApplyResult>;

export class EventSource {
  /** Index, in the stream, of the next change to hand to the function (everything before it is checkpointed). */
  position = 0;

  constructor(
    private readonly table: ModelTable,
    private readonly clock: ModelClock,
    private readonly queue: FakeQueue,
    private readonly invoke: FunctionInvoke,
  ) {}

  get caughtUp(): boolean {
    return this.position >= this.table.changes.length;
  }

  /** The next batch, with its retries; a batch still failing after them goes to the queue. */
  async deliverNextBatch(size: number): Promise<void> {
    this.skipExpired();
    let batch = this.table.changes.slice(this.position, this.position + size);
    for (let attempt = 0; batch.length > 0; attempt++) {
      const result = await this.invoke(batch);
      const done = Math.min(batch.length, ...result.failures.map((failure) => failure.position));
      this.position += done;
      batch = batch.slice(done);
      if (batch.length > 0 && attempt === RETRY_ATTEMPTS) {
        this.queue.sendPointer(batch);
        this.position += batch.length;
        return;
      }
    }
  }

  /**
   * Delivers again records already handed over (at-least-once: a retried invocation, a replay),
   * within the maximum record age; what happens to them is not checkpointed again.
   */
  async deliverAgain(back: number, size: number): Promise<void> {
    const start = Math.max(this.table.trimmedBefore, this.position - back);
    const batch = this.table.changes
      .slice(start, Math.min(start + size, this.position))
      .filter((change) => change.createdAt >= this.clock.hoursAgo(MAX_RECORD_AGE_HOURS));
    if (batch.length > 0) await this.invoke(batch);
  }

  /** Records at the head older than the maximum record age are not processed: a pointer to them goes to the queue. */
  skipExpired(): void {
    const expired: StreamChange[] = [];
    while (!this.caughtUp && this.table.changes[this.position].createdAt < this.clock.hoursAgo(MAX_RECORD_AGE_HOURS)) {
      expired.push(this.table.changes[this.position++]);
    }
    if (expired.length > 0) this.queue.sendPointer(expired);
  }
}
