/** `cdc status` with routing: each mirror index's documents and tombstones, counted and shown one line per index. */
import { pipelineCounts, type SearchRequest, type SearchTransport } from '../../../lambda/adapters/opensearch';
import { describeMirrorCounts } from '../../../cli/status';

/**
 * Indexes of documents (each a set of field names it holds), answering `_refresh` and `_count`
 * (with `exists` queries) as OpenSearch does, and the change log's `_search` with no changes.
 */
function fakeSearch(indexes: Record<string, string[][]>): SearchTransport & { requests: SearchRequest[] } {
  const requests: SearchRequest[] = [];
  return {
    requests,
    async request(request: SearchRequest) {
      requests.push(request);
      const [name, action] = request.path.split('/').slice(1).map(decodeURIComponent);
      if (action === '_refresh') return { statusCode: 200, body: {} };
      if (action === '_search') {
        const none = { buckets: [] };
        return { statusCode: 200, body: { aggregations: { all: none, recent: { events: none }, newest: {} } } };
      }
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
    const indexes = { changeLog: 'dynamodb-cdc', mirror: 'test-table', deadLetter: 'dynamodb-cdc-deadletter' };
    const counts = await pipelineCounts(search, indexes, new Date(0), ['users', 'orders', 'order-items']);
    expect(counts.mirrors).toEqual([
      { index: 'users', items: 2, tombstones: 3, unindexed: 1, ignored: 0 },
      { index: 'orders', items: 1, tombstones: 0, unindexed: 0, ignored: 1 },
      { index: 'order-items', items: 0, tombstones: 0, unindexed: 0, ignored: 0 },
    ]);
    expect(counts).toMatchObject({ mirrorItems: 3, mirrorItemsUnindexed: 1, mirrorItemsIgnored: 1, deadLetters: 0 });
    const everyIndex =
      'users,users-tombstones,orders,orders-tombstones,order-items,order-items-tombstones,dynamodb-cdc,dynamodb-cdc-deadletter';
    expect(search.requests[0]).toMatchObject({ path: `/${encodeURIComponent(everyIndex)}/_refresh` });
  });

  it('shows one line per index, and a note under one whose documents are not all searchable', () => {
    expect(
      describeMirrorCounts([
        { index: 'users', items: 2, tombstones: 3, unindexed: 1, ignored: 0 },
        { index: 'orders', items: 1, tombstones: 0, unindexed: 0, ignored: 0 },
      ]),
    ).toEqual([
      'mirror users: 2 document(s), 3 tombstone(s)',
      expect.stringMatching(/^ {2}1 hold attributes kept exactly but unindexed/),
      'mirror orders: 1 document(s), 0 tombstone(s)',
    ]);
  });
});
