/**
 * Bulk actions: building the `_bulk` body, and reading its response back, item by item.
 *
 * Each action remembers which records it stands for, so a failed item maps back to the exact
 * stream records to retry or dead-letter. A response that does not line up with the request
 * (wrong count, wrong operation, wrong id) is not trusted at all.
 */
import { classifyItem, type BulkItemError, type ItemOutcome } from './failure-class';

export type ActionTarget = 'change-log' | 'mirror' | 'dead-letter';

export interface BulkAction {
  readonly target: ActionTarget;
  readonly opType: 'create' | 'index';
  readonly index: string;
  readonly id: string;
  /** Optimistic concurrency for mirror writes over an existing document. */
  readonly ifSeqNo?: number;
  readonly ifPrimaryTerm?: number;
  /** The document as JSON text (already serialised, numbers exact). */
  readonly source: string;
  /** Positions, in the batch, of the records this action writes for. */
  readonly records: readonly number[];
}

export interface BulkResponseItem {
  readonly [opType: string]: {
    readonly _index?: string;
    readonly _id?: string;
    readonly status: number;
    readonly error?: BulkItemError;
  };
}

export interface BulkResponse {
  readonly errors?: boolean;
  readonly items?: readonly BulkResponseItem[];
}

/** The response did not describe the request: treat every action in it as not written. */
export class MismatchedBulkResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MismatchedBulkResponseError';
  }
}

export function actionLine(action: BulkAction): string {
  const meta: Record<string, unknown> = { _index: action.index, _id: action.id };
  if (action.ifSeqNo !== undefined) {
    meta.if_seq_no = action.ifSeqNo;
    meta.if_primary_term = action.ifPrimaryTerm;
  }
  return `${JSON.stringify({ [action.opType]: meta })}\n${action.source}\n`;
}

/**
 * Splits actions into request bodies of at most `maxBytes` each (one action is never split; an
 * action larger than the limit goes alone and OpenSearch decides).
 */
export function toBulkBodies(actions: readonly BulkAction[], maxBytes: number): { body: string; actions: BulkAction[] }[] {
  const chunks: { body: string; actions: BulkAction[] }[] = [];
  let current: { parts: string[]; bytes: number; actions: BulkAction[] } = { parts: [], bytes: 0, actions: [] };
  for (const action of actions) {
    const line = actionLine(action);
    const bytes = Buffer.byteLength(line, 'utf8');
    if (current.actions.length > 0 && current.bytes + bytes > maxBytes) {
      chunks.push({ body: current.parts.join(''), actions: current.actions });
      current = { parts: [], bytes: 0, actions: [] };
    }
    current.parts.push(line);
    current.bytes += bytes;
    current.actions.push(action);
  }
  if (current.actions.length > 0) chunks.push({ body: current.parts.join(''), actions: current.actions });
  return chunks;
}

/** Pairs each action with its item's outcome, after checking the response really is for this request. */
export function readBulkResponse(
  actions: readonly BulkAction[],
  response: BulkResponse,
): { action: BulkAction; outcome: ItemOutcome }[] {
  const items = response.items;
  if (!Array.isArray(items) || items.length !== actions.length) {
    throw new MismatchedBulkResponseError(
      `bulk response has ${Array.isArray(items) ? items.length : 'no'} items for ${actions.length} actions`,
    );
  }
  return actions.map((action, position) => {
    const item = items[position]?.[action.opType];
    if (item === undefined || typeof item.status !== 'number') {
      throw new MismatchedBulkResponseError(`bulk response item ${position} is not a "${action.opType}" result`);
    }
    if ((item._id !== undefined && item._id !== action.id) || (item._index !== undefined && !indexMatches(item._index, action.index))) {
      throw new MismatchedBulkResponseError(
        `bulk response item ${position} is for ${item._index}/${item._id}, expected ${action.index}/${action.id}`,
      );
    }
    return { action, outcome: classifyItem(action.target === 'mirror', item.status, item.error) };
  });
}

/** Writes through an alias report the concrete index (`test-table` -> `test-table-v1`). */
function indexMatches(reported: string, requested: string): boolean {
  return reported === requested || reported.startsWith(`${requested}-`);
}
