/**
 * Re-drive of the dead-letter index against the real OpenSearch: more dead letters than one page,
 * read a page at a time (a scroll), every one re-driven and cleared, those of other tables left.
 * Its own indexes, so nothing else in the cluster is touched.
 */
import { connect, DeadLetterStore, ensureIndexes, OpenSearchPort, type DeadLetterSource } from '../../lambda/adapters/opensearch';
import { toChangeRecord, toDeadLetterDocument, deadLetterId, type DeadLetter, type RawStreamRecord } from '../../lambda/core';
import type { PipelineSettings } from '../../lambda/pipeline';
import { mirrorBackingIndex } from '../../lambda/settings';
import { emptyReport, redriveDeadLetters, type RedriveDependencies } from '../../cli/redrive';
import { endpoints, runPrefix, search } from '../support/live-system';
import { insertRecord } from '../support/stream-records';

const TABLE = 'test-table';
const LETTERS = 230;
const PAGE = 100;

/** A dead letter as the function writes it when the mirror refused a record. */
function refusedLetter(raw: RawStreamRecord, failedAt: Date): { id: string; document: string } {
  const letter: DeadLetter = {
    target: 'mirror',
    errorType: 'request_entity_too_large',
    reason: 'too large (413)',
    status: 413,
    raw,
    record: toChangeRecord(raw, { receivedAt: failedAt, tableName: TABLE }),
  };
  return { id: deadLetterId(letter), document: JSON.stringify(toDeadLetterDocument(letter, failedAt)) };
}

/** Search contexts (scrolls) open in the cluster. */
async function openSearchContexts(client: ReturnType<typeof search>): Promise<number> {
  const stats = await client.nodes.stats({ metric: 'indices', index_metric: 'search' } as never);
  return Object.values((stats.body as { nodes: Record<string, { indices: { search: { open_contexts: number } } }> }).nodes).reduce(
    (sum, node) => sum + node.indices.search.open_contexts,
    0,
  );
}

it(`re-drives all of ${LETTERS} dead letters, a page of ${PAGE} at a time, and leaves those of other tables`, async () => {
  const prefix = runPrefix('letter-pages');
  const indexes = { changeLog: `${prefix}-log`, mirror: `${prefix}-mirror`, deadLetter: `${prefix}-dl` };
  const transport = await connect({ endpoint: endpoints.openSearch, requestTimeoutMs: 60_000 });
  const client = search();
  try {
    await ensureIndexes(transport, { indexes });
    const now = new Date();
    const at = Math.floor(now.getTime() / 1000) - 60;
    const records = Array.from({ length: LETTERS }, (_, i) =>
      insertRecord({ id: { S: `${prefix}-${i}` }, n: { N: String(i) } }, { sequenceNumber: 1000 + i, at }),
    );
    const foreignArn = 'arn:aws:dynamodb:us-east-1:000000000000:table/other-table/stream/2024-01-01T00:00:00.000';
    const foreign = [0, 1, 2].map((i) => ({
      ...insertRecord({ id: { S: `${prefix}-other-${i}` } }, { sequenceNumber: 9000 + i, at }),
      eventSourceARN: foreignArn,
    }));
    const letters = [...records, ...foreign].map((record, i) => refusedLetter(record, new Date(now.getTime() - (LETTERS - i) * 1000)));
    const bulk = await client.bulk({
      body: letters.flatMap(({ id, document }) => [{ index: { _index: indexes.deadLetter, _id: id } }, JSON.parse(document)]) as never,
      refresh: true,
    });
    expect(bulk.body.errors).toBe(false);

    const store = new DeadLetterStore(transport, indexes.deadLetter, PAGE);
    const pageSizes: number[] = [];
    const counting: DeadLetterSource = {
      pages: async function* (tableName) {
        for await (const page of store.pages(tableName)) {
          pageSizes.push(page.length);
          yield page;
        }
      },
      countOthers: (tableName) => store.countOthers(tableName),
      delete: (ids) => store.delete(ids),
    };
    const settings: PipelineSettings = { indexes, keySchema: { partitionKey: 'id' }, changeLogPartitioning: 'none', tableName: TABLE };
    const log: string[] = [];
    const deps: RedriveDependencies = {
      tombstoneRetentionHours: 48,
      repairMirror: async () => {
        throw new Error('recent records never need a repair');
      },
      sqs: undefined as never,
      streams: undefined as never,
      port: new OpenSearchPort(transport, 9 * 1024 * 1024),
      deadLetters: counting,
      settings,
      tableName: TABLE,
      log: (line) => void log.push(line),
    };
    const report = emptyReport();
    const contextsBefore = await openSearchContexts(client);

    await redriveDeadLetters(deps, report);

    expect(report).toMatchObject({ deadLetters: LETTERS, deadLettersCleared: LETTERS, problems: [] });
    expect(pageSizes).toEqual([100, 100, 30]);
    expect(log).toEqual([
      '  3 dead letter(s) of other tables, or of none (malformed records, kept only to be read), left as they are: read their reason, and delete them from the dead-letter index once understood',
    ]);
    await client.indices.refresh({ index: `${indexes.deadLetter},${mirrorBackingIndex(indexes.mirror)}` });
    const mirrored = await client.count({ index: mirrorBackingIndex(indexes.mirror) });
    expect((mirrored.body as { count: number }).count).toBe(LETTERS);
    const left = await client.search({ index: indexes.deadLetter, body: { size: 100 } as never });
    expect((left.body.hits.hits as { _source: { table_name: string } }[]).map((hit) => hit._source.table_name)).toEqual([
      'other-table',
      'other-table',
      'other-table',
    ]);
    expect(await openSearchContexts(client)).toBe(contextsBefore); // the scroll is cleared
  } finally {
    await client.indices.delete({ index: `${prefix}-*` }).catch(() => undefined);
    await client.close();
    await transport.close();
  }
});
