/**
 * The batch's end-to-end lag: from the creation of its oldest change in DynamoDB to now (after the
 * writes). The oldest, not an average: it is what tells how far behind the pipeline runs.
 */
import { recordCreationTime, type RawStreamRecord } from './change-record';

/** Milliseconds, or undefined when no record carries a creation time (manual invokes). Never negative. */
export function endToEndLagMs(records: readonly RawStreamRecord[], now: Date): number | undefined {
  let oldest: number | undefined;
  for (const record of records) {
    const created = recordCreationTime(record)?.getTime();
    if (created !== undefined && (oldest === undefined || created < oldest)) oldest = created;
  }
  return oldest === undefined ? undefined : Math.max(0, now.getTime() - oldest);
}
