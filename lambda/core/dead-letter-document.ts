/**
 * Dead letters: records OpenSearch will never accept as sent, kept whole with the reason.
 *
 * A dead letter holds the raw stream record as JSON text, so it can be re-driven through the
 * same code path once the cause (a mapping, a limit) is fixed. Its id is derived from the event
 * and the failed write, so recording the same failure twice keeps one document.
 */
import { rawRecordJson, recordHash, type ChangeOrigin, type ChangeRecord, type RawStreamRecord } from './change-record';
import { boundedId } from './document-id';

/** What was refused: the record's change-log write, its mirror write, or the record itself (malformed). */
export type RefusedPart = 'change-log' | 'mirror' | 'record';

export interface DeadLetter {
  readonly target: RefusedPart;
  readonly targetIndex?: string;
  readonly documentId?: string;
  readonly errorType: string;
  readonly reason: string;
  readonly status?: number;
  readonly raw: RawStreamRecord;
  readonly record?: ChangeRecord;
}

export interface DeadLetterDocument {
  readonly failed_at: string;
  readonly target: RefusedPart;
  readonly target_index?: string;
  readonly document_id?: string;
  readonly error_type: string;
  readonly reason: string;
  readonly status?: number;
  readonly event_id?: string;
  readonly event_name?: string;
  readonly sequence_number?: string;
  readonly table_name?: string;
  /** The stream the record came from, so re-drive takes only its own table's dead letters. */
  readonly stream_arn?: string;
  readonly keys?: string;
  /**
   * Where the record came from (see ChangeOrigin): re-drive repairs a `repair` from the table again
   * instead of reading it as a stream record. Absent when the record could not be read at all, and
   * in dead letters written before it was recorded: those are re-driven by their content.
   */
  readonly origin?: ChangeOrigin;
  /** The stream record as JSON text: input to re-drive. */
  readonly record_json: string;
}

/** A dead letter as re-drive reads it back. */
export interface StoredDeadLetter {
  readonly id: string;
  readonly record: RawStreamRecord;
  readonly reason: string;
  readonly origin?: ChangeOrigin;
}

const ORIGINS: ReadonlySet<string> = new Set<ChangeOrigin>(['stream', 'manual', 'snapshot', 'repair']);

export function toDeadLetterDocument(letter: DeadLetter, failedAt: Date): DeadLetterDocument {
  const record = letter.record;
  return {
    failed_at: failedAt.toISOString(),
    target: letter.target,
    target_index: letter.targetIndex,
    document_id: letter.documentId,
    error_type: letter.errorType,
    reason: letter.reason,
    status: letter.status,
    event_id: record?.eventId ?? stringField(letter.raw, 'eventID'),
    event_name: record?.eventName ?? stringField(letter.raw, 'eventName'),
    sequence_number: record?.sequenceNumber,
    table_name: record?.tableName,
    stream_arn: record?.eventSourceArn ?? stringField(letter.raw, 'eventSourceARN'),
    keys: record ? JSON.stringify(record.keys) : undefined,
    origin: record?.origin,
    record_json: rawRecordJson(letter.raw),
  };
}

/**
 * Same event, same failed write: same dead letter. A record too malformed to have an event id is
 * named by its content, so different malformed records never overwrite each other.
 */
export function deadLetterId(letter: DeadLetter): string {
  if (letter.record === undefined) return `malformed:${recordHash(letter.raw)}`;
  return boundedId(`${letter.record.eventId}:${letter.record.sequenceNumber}:${letter.target}`);
}

/** A stored dead-letter document read back; an origin it does not know is treated as unknown. */
export function storedDeadLetter(id: string, source: Pick<DeadLetterDocument, 'record_json' | 'reason' | 'origin'>): StoredDeadLetter {
  const origin = typeof source.origin === 'string' && ORIGINS.has(source.origin) ? source.origin : undefined;
  return { id, record: JSON.parse(source.record_json) as RawStreamRecord, reason: source.reason, ...(origin ? { origin } : {}) };
}

function stringField(raw: RawStreamRecord, path: string): string | undefined {
  let value: unknown = raw;
  for (const part of path.split('.')) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return typeof value === 'string' ? value : undefined;
}
