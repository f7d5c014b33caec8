/**
 * Writes as `_bulk` request bodies: NDJSON, split into requests of a bounded size.
 */
import type { WriteAction } from '../../core';

/** The `_bulk` operation that carries out a write, with its condition. */
export function operationOf(action: WriteAction): 'create' | 'index' | 'delete' {
  if (action.operation === 'delete') return 'delete';
  return action.condition.kind === 'absent' ? 'create' : 'index';
}

export function actionLines(action: WriteAction): string {
  const meta: Record<string, unknown> = { _index: action.index, _id: action.id };
  if (action.condition.kind === 'unchanged') {
    const [seqNo, primaryTerm] = action.condition.revision.split(':').map(Number);
    meta.if_seq_no = seqNo;
    meta.if_primary_term = primaryTerm;
  }
  if (action.condition.kind === 'version') {
    meta.version = action.condition.version;
    meta.version_type = 'external';
  }
  const header = JSON.stringify({ [operationOf(action)]: meta });
  // The document is JSON text we built (exact numbers): sent as it is, never re-serialised.
  return action.operation === 'put' ? `${header}\n${action.document}\n` : `${header}\n`;
}

export interface BulkChunk {
  readonly body: string;
  /** Positions of the chunk's writes in the list given to splitIntoRequests. */
  readonly positions: number[];
}

/**
 * Splits writes into request bodies of at most `maxBytes` each (one write is never split; a write
 * larger than the limit goes alone and the engine decides).
 */
export function splitIntoRequests(actions: readonly WriteAction[], maxBytes: number): BulkChunk[] {
  const chunks: BulkChunk[] = [];
  let parts: string[] = [];
  let positions: number[] = [];
  let bytes = 0;
  actions.forEach((action, position) => {
    const lines = actionLines(action);
    const size = Buffer.byteLength(lines, 'utf8');
    if (positions.length > 0 && bytes + size > maxBytes) {
      chunks.push({ body: parts.join(''), positions });
      parts = [];
      positions = [];
      bytes = 0;
    }
    parts.push(lines);
    positions.push(position);
    bytes += size;
  });
  if (positions.length > 0) chunks.push({ body: parts.join(''), positions });
  return chunks;
}

export function revisionOf(seqNo: unknown, primaryTerm: unknown): string | undefined {
  return typeof seqNo === 'number' && typeof primaryTerm === 'number' ? `${seqNo}:${primaryTerm}` : undefined;
}
