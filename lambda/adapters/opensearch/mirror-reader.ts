/**
 * Reading the mirror back exactly, for `cdc verify`: documents parsed with lossless-json (every
 * digit of every number, `__proto__` kept as data), whether some of an item is kept unindexed, and
 * every document id.
 */
import { parse } from 'lossless-json';
import { itemOfMirrorDocument, MIRROR_METADATA_FIELD } from '../../core';
import { scrolledHits } from './scroll';
import { pathOf, type SearchTransport } from './search-transport';

export interface MirroredItem {
  readonly item: Record<string, unknown>;
  /** Why some of its attributes are kept unindexed (under `_cdc.unindexed`), when some are. */
  readonly unindexedReason?: string;
  /** What a transform kept of a deleted item (`_cdc.removed`): an archive, with no item behind it. */
  readonly keptOnRemove?: boolean;
}

export class MirrorReader {
  constructor(
    private readonly transport: SearchTransport,
    /** The alias users read (or any index of mirror documents). */
    private readonly index: string,
  ) {}

  /** The items of these document ids that the mirror holds. */
  async items(ids: readonly string[]): Promise<Map<string, MirroredItem>> {
    const found = new Map<string, MirroredItem>();
    if (ids.length === 0) return found;
    const response = await this.transport.request<NodeJS.ReadableStream>(
      { method: 'POST', path: pathOf(this.index, '_mget'), querystring: { realtime: true }, body: { ids: [...ids] } },
      { asStream: true },
    );
    const text = await readAll(response.body);
    const docs = (parse(text) as { docs: { _id: string; found?: boolean; _source?: Record<string, unknown>; error?: unknown }[] }).docs;
    for (const doc of docs) {
      if ((doc.error as { type?: string } | undefined)?.type === 'index_not_found_exception') throw this.noMirror();
      if (doc.error) throw new Error(`reading mirror document ${doc._id} failed: ${JSON.stringify(doc.error)}`);
      if (doc.found && doc._source) found.set(doc._id, mirroredItem(doc._source));
    }
    return found;
  }

  private noMirror(): Error {
    return new Error(
      `the mirror "${this.index}" does not exist in OpenSearch: check --mirror-index (or --opensearch), or deploy the stack (its function creates the mirror)`,
    );
  }

  /** Every document id in the mirror, a page at a time, as of now (writes just made included). */
  async *ids(pageSize = 1000): AsyncGenerator<string[]> {
    await this.transport.request({ method: 'POST', path: pathOf(this.index, '_refresh') }).catch((error) => {
      throw (error as { body?: { error?: { type?: string } } }).body?.error?.type === 'index_not_found_exception' ? this.noMirror() : error;
    });
    const pages = scrolledHits<{ _id: string }>(this.transport, {
      index: this.index,
      keepAlive: '2m',
      body: { size: pageSize, _source: false, sort: ['_doc'] },
    });
    for await (const hits of pages) yield hits.map((hit) => hit._id);
  }
}

/** A mirror document as verify reads it. */
export function mirroredItem(source: Record<string, unknown>): MirroredItem {
  const metadata = source[MIRROR_METADATA_FIELD] as { unindexed_reason?: unknown; removed?: unknown } | undefined;
  const reason = metadata?.unindexed_reason;
  return {
    item: itemOfMirrorDocument(source),
    ...(typeof reason === 'string' ? { unindexedReason: reason } : {}),
    ...(metadata?.removed === true ? { keptOnRemove: true } : {}),
  };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks).toString('utf8');
}
