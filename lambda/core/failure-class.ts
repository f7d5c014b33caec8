/**
 * What one bulk item's result means for the record behind it.
 *
 * - ok: written (or already written: a 409 on a `create` is a duplicate delivery).
 * - conflict: the mirror document changed between read and write; plan that key again.
 * - transient: worth retrying as is (429, 5xx, 404 index gone, 401/403 blocks, anything unknown).
 * - permanent: this document will never be accepted as sent (400 mapping/parsing errors, 413 too
 *   large). Retrying would block the shard forever, so it goes to the dead-letter index instead.
 */
export type ItemOutcome =
  | { readonly kind: 'ok'; readonly duplicate: boolean }
  | { readonly kind: 'conflict' }
  | { readonly kind: 'transient'; readonly reason: string }
  | { readonly kind: 'permanent'; readonly reason: string; readonly status: number; readonly errorType: string };

export interface BulkItemError {
  readonly type?: string;
  readonly reason?: string;
  readonly caused_by?: { readonly type?: string; readonly reason?: string };
}

const PERMANENT_STATUSES: ReadonlySet<number> = new Set([400, 413]);

/**
 * @param conditional the write was conditional on the document's state (mirror writes): a 409
 *   means somebody else wrote it in between. Otherwise a 409 on `create` means this exact
 *   document exists already (ids are event ids): a duplicate delivery, which is success.
 */
export function classifyItem(conditional: boolean, status: number, error: BulkItemError | undefined): ItemOutcome {
  if (status >= 200 && status < 300) return { kind: 'ok', duplicate: false };
  if (status === 409) return conditional ? { kind: 'conflict' } : { kind: 'ok', duplicate: true };
  const reason = describeError(status, error);
  if (PERMANENT_STATUSES.has(status)) {
    return { kind: 'permanent', reason, status, errorType: error?.type ?? `http_${status}` };
  }
  return { kind: 'transient', reason };
}

export function describeError(status: number, error: BulkItemError | undefined): string {
  if (error === undefined) return `status ${status}`;
  const cause = error.caused_by?.reason ? ` (caused by ${error.caused_by.type}: ${error.caused_by.reason})` : '';
  return `${error.type ?? 'error'}: ${error.reason ?? 'no reason given'}${cause}`;
}
