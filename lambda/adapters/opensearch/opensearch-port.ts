/**
 * The pipeline's SearchPort over the official OpenSearch client: `_mget` for states, `_bulk`
 * for writes, with requests bounded in size, split again when the cluster says a request is too
 * large, and responses checked against their requests before they are believed; the mirror's
 * mapping from a cache read only when a batch brings what it does not know (mapping-cache.ts).
 */
import {
  type DocumentRef,
  type FieldKind,
  type MappedFields,
  type StoredState,
  type WriteAction,
  type WriteOutcome,
  refKey,
  MIRROR_METADATA_FIELD,
  storedSequenceNumber,
} from '../../core';
import type { SearchPort } from '../../pipeline';
import { classifyItem, type BulkItemError } from './bulk-outcome';
import { operationOf, revisionOf, splitIntoRequests } from './bulk-request';
import { MappingCache } from './mapping-cache';
import { statusOf, type SearchTransport } from './search-transport';

interface BulkResponseItem {
  readonly [operation: string]: {
    readonly _index?: string;
    readonly _id?: string;
    readonly status: number;
    readonly _seq_no?: number;
    readonly _primary_term?: number;
    readonly error?: BulkItemError;
  };
}

export class OpenSearchPort implements SearchPort {
  /** The mirror's mapping as this port knows it (see mapping-cache.ts). */
  readonly mapping: MappingCache;

  constructor(
    private readonly transport: SearchTransport,
    /** Largest request body; a bigger list of writes goes in several requests. */
    private readonly maxBulkBytes: number,
  ) {
    this.mapping = new MappingCache(transport);
  }

  mappedFields(index: string, paths: ReadonlySet<string>): Promise<MappedFields> {
    return this.mapping.mappedFields(index, paths);
  }

  fieldsMapped(index: string, fields: ReadonlyMap<string, FieldKind>): void {
    this.mapping.fieldsMapped(index, fields);
  }

  forgetMapping(index: string): void {
    this.mapping.forget(index);
  }

  async readStates(refs: readonly DocumentRef[]): Promise<Map<string, StoredState>> {
    const states = new Map<string, StoredState>();
    if (refs.length === 0) return states;
    const response = await this.transport.request<{ docs?: Record<string, any>[] }>({
      method: 'POST',
      path: '/_mget',
      querystring: { _source_includes: [`${MIRROR_METADATA_FIELD}.sequence_number`], realtime: true },
      body: { docs: refs.map((ref) => ({ _index: ref.index, _id: ref.id })) },
    });
    const docs = response.body.docs ?? [];
    if (docs.length !== refs.length) throw new Error(`_mget answered ${docs.length} documents for ${refs.length} asked`);
    docs.forEach((doc, position) => {
      if (doc.error) {
        if (doc.error.type === 'index_not_found_exception') return;
        throw new Error(`reading ${refs[position].index}/${refs[position].id} failed: ${doc.error.type}: ${doc.error.reason}`);
      }
      if (!doc.found) return;
      states.set(refKey(refs[position]), {
        revision: revisionOf(doc._seq_no, doc._primary_term) as never,
        sequenceNumber: storedSequenceNumber(doc._source?.[MIRROR_METADATA_FIELD]?.sequence_number),
        ...(typeof doc._version === 'number' ? { version: doc._version } : {}),
      });
    });
    return states;
  }

  async write(actions: readonly WriteAction[]): Promise<WriteOutcome[]> {
    const outcomes: WriteOutcome[] = new Array(actions.length);
    for (const chunk of splitIntoRequests(actions, this.maxBulkBytes)) {
      const chunkActions = chunk.positions.map((position) => actions[position]);
      const chunkOutcomes = await this.sendRequest(chunkActions, chunk.body);
      chunk.positions.forEach((position, i) => (outcomes[position] = chunkOutcomes[i]));
    }
    return outcomes;
  }

  /** One `_bulk` request. A 413 for the whole request splits it; a single write that is still too large is refused. */
  private async sendRequest(actions: readonly WriteAction[], body: string): Promise<WriteOutcome[]> {
    let items: readonly BulkResponseItem[];
    try {
      const response = await this.transport.request<{ items?: BulkResponseItem[] }>({ method: 'POST', path: '/_bulk', bulkBody: body });
      items = checkedItems(actions, response.body);
    } catch (error) {
      const status = statusOf(error);
      // The whole request refused for something in it (too large, an id too long): split it
      // until the one write at fault is alone, and refuse only that one.
      if (status === 413 || status === 400) {
        if (actions.length === 1) {
          const reason =
            status === 413
              ? 'the document is larger than the cluster accepts in one request (413)'
              : `the cluster refused the write: ${(error as Error).message}`;
          return [{ kind: 'refused', reason, errorType: status === 413 ? 'request_entity_too_large' : 'request_refused', status }];
        }
        const half = Math.ceil(actions.length / 2);
        return [...(await this.write(actions.slice(0, half))), ...(await this.write(actions.slice(half)))];
      }
      const reason = error instanceof MismatchedResponseError ? error.message : `bulk request failed: ${(error as Error).message}`;
      return actions.map(() => ({ kind: 'retry', reason }));
    }
    return actions.map((action, position) => {
      const item = items[position][operationOf(action)];
      return classifyItem(action, item.status, item.error, revisionOf(item._seq_no, item._primary_term));
    });
  }
}

/** The response does not describe the request: none of its writes may be believed. */
export class MismatchedResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MismatchedResponseError';
  }
}

/** The response's items, after checking that they are this request's, one for one. */
export function checkedItems(
  actions: readonly WriteAction[],
  response: { items?: readonly BulkResponseItem[] },
): readonly BulkResponseItem[] {
  const items = response?.items;
  if (!Array.isArray(items) || items.length !== actions.length) {
    throw new MismatchedResponseError(`bulk response has ${Array.isArray(items) ? items.length : 'no'} items for ${actions.length} writes`);
  }
  actions.forEach((action, position) => {
    const operation = operationOf(action);
    const item = items[position]?.[operation];
    if (item === undefined || typeof item.status !== 'number') {
      throw new MismatchedResponseError(`bulk response item ${position} is not a "${operation}" result`);
    }
    if ((item._id !== undefined && item._id !== action.id) || (item._index !== undefined && !sameIndex(item._index, action.index))) {
      throw new MismatchedResponseError(
        `bulk response item ${position} is for ${item._index}/${item._id}, expected ${action.index}/${action.id}`,
      );
    }
  });
  return items;
}

/** Writes through an alias report the concrete index (`test-table` -> `test-table-v1`). */
function sameIndex(reported: string, requested: string): boolean {
  return reported === requested || reported.startsWith(`${requested}-`);
}
