/** `cdc status` with routing: each mirror index's documents and tombstones, counted and shown one line per index. */
import type { SearchRequest, SearchTransport } from '../../../../lambda/adapters/opensearch';
import { describeMirrorCounts, mirrorIndexCounts } from '../../../../cli/status';

/** Indexes of documents (each a set of field names it holds), answering `_refresh` and `_count` (with `exists` queries) as OpenSearch does. */
function fakeSearch(indexes: Record<string, string[][]>): SearchTransport & { requests: SearchRequest[] } {
  const requests: SearchRequest[] = [];
  return {
    requests,
    async request(request: SearchRequest) {
      requests.push(request);
      const [name, action] = request.path.split('/').slice(1).map(decodeURIComponent);
      if (action === '_refresh') return { statusCode: 200, body: {} };
      const field = (request.body as { query?: { exists?: { field: string } } } | undefined)?.query?.exists?.field;
      const documents = indexes[name] ?? []; // ignore_unavailable: a missing index counts nothing
      return { statusCode: 200, body: { count: documents.filter((fields) => field === undefined || fields.includes(field)).length } };
    },
    close: async () => undefined,
  } as SearchTransport & { requests: SearchRequest[] };
}

describe('cdc status per mirror index', () => {
  it('counts each index: documents, tombstones, and those not searchable whole', async () => {
    const search = fakeSearch({
      users: [['pk'], ['pk', '_cdc.unindexed_reason']],
      'users-tombstones': [['pk'], ['pk'], ['pk']],
      orders: [['pk', '_ignored']],
    });
    expect(await mirrorIndexCounts(search, ['users', 'orders', 'order-items'])).toEqual([
      { index: 'users', documents: 2, tombstones: 3, unindexed: 1, ignored: 0 },
      { index: 'orders', documents: 1, tombstones: 0, unindexed: 0, ignored: 1 },
      { index: 'order-items', documents: 0, tombstones: 0, unindexed: 0, ignored: 0 },
    ]);
    expect(search.requests[0]).toMatchObject({
      path: `/${encodeURIComponent('users,users-tombstones,orders,orders-tombstones,order-items,order-items-tombstones')}/_refresh`,
    });
  });

  it('shows one line per index, and a note under one whose documents are not all searchable', () => {
    expect(
      describeMirrorCounts([
        { index: 'users', documents: 2, tombstones: 3, unindexed: 1, ignored: 0 },
        { index: 'orders', documents: 1, tombstones: 0, unindexed: 0, ignored: 0 },
      ]),
    ).toEqual([
      'mirror users: 2 document(s), 3 tombstone(s)',
      expect.stringMatching(/^ {2}1 hold attributes kept exactly but unindexed/),
      'mirror orders: 1 document(s), 0 tombstone(s)',
    ]);
  });
});
