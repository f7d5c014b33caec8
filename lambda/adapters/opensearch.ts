/**
 * The OpenSearch side of the pipeline: a SearchPort over the official client, and the one-time
 * creation of templates and indexes.
 */
import { Client } from '@opensearch-project/opensearch';
import type { BulkResponse } from '../core/bulk';
import type { MirrorState } from '../core/mirror-plan';
import { MIRROR_METADATA_FIELD } from '../core/mirror-document';
import { indexTemplates, mirrorBackingIndex, type IndexNames } from '../core/index-layout';
import type { SearchPort } from '../sync/apply-changes';

export interface OpenSearchConnection {
  readonly endpoint: string;
  /** Per request; a timed-out request is a transient failure of its records. */
  readonly requestTimeoutMs: number;
}

export function createClient(connection: OpenSearchConnection): Client {
  // No client-side retries: a failed request is reported to the event source, which retries
  // the records in order (and bisects); retrying here too would only stretch the invocation.
  return new Client({ node: connection.endpoint, requestTimeout: connection.requestTimeoutMs, maxRetries: 0 });
}

export class OpenSearchPort implements SearchPort {
  constructor(private readonly client: Client) {}

  async getMirrorStates(index: string, ids: readonly string[]): Promise<Map<string, MirrorState>> {
    const response = await this.client.mget({
      index,
      body: { ids: [...ids] },
      _source_includes: [`${MIRROR_METADATA_FIELD}.sequence_number`],
      realtime: true,
    });
    const states = new Map<string, MirrorState>();
    for (const doc of (response.body.docs ?? []) as Record<string, any>[]) {
      if (doc.error) {
        if (doc.error.type === 'index_not_found_exception') continue;
        throw new Error(`reading mirror document ${doc._id} failed: ${doc.error.type}: ${doc.error.reason}`);
      }
      if (!doc.found) continue;
      states.set(doc._id, {
        sequenceNumber: doc._source?.[MIRROR_METADATA_FIELD]?.sequence_number,
        seqNo: doc._seq_no,
        primaryTerm: doc._primary_term,
      });
    }
    return states;
  }

  async bulk(body: string): Promise<BulkResponse> {
    // The body is NDJSON text we built ourselves (exact numbers); the client sends strings as they are.
    const response = await this.client.bulk({ body: body as never });
    return response.body as BulkResponse;
  }
}

/**
 * Puts the index templates and creates the indexes, so the mappings are ours before the first
 * document arrives. Safe to run any number of times, from any number of containers.
 */
export async function ensureIndexes(client: Client, names: IndexNames): Promise<void> {
  for (const template of indexTemplates(names)) {
    await client.indices.putIndexTemplate({ name: template.name, body: template.body as never });
  }
  for (const index of [names.changeLog, mirrorBackingIndex(names.mirror), names.deadLetter]) {
    try {
      await client.indices.create({ index });
    } catch (error) {
      const type = (error as { body?: { error?: { type?: string; reason?: string } } }).body?.error?.type;
      if (type === 'resource_already_exists_exception') continue;
      if (type === 'invalid_alias_name_exception') {
        throw new Error(
          `cannot create the mirror alias "${names.mirror}": an index of that name exists already. ` +
            `Delete or rename it, or choose another mirror index name (setting mirrorIndex).`,
        );
      }
      throw error;
    }
  }
}
