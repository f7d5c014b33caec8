import { applyChanges, type ApplySettings } from '../../lambda/sync/apply-changes';
import { InMemorySearch } from '../support/in-memory-search';
import { EVERY_TYPE_ITEM, insertRecord, modifyRecord, removeRecord } from '../support/stream-records';

const settings: ApplySettings = {
  changeLogIndex: 'dynamodb-cdc',
  mirrorIndex: 'test-table-v1',
  deadLetterIndex: 'dynamodb-cdc-deadletter',
  keySchema: { partitionKey: 'id' },
  maxBulkBytes: 9 * 1024 * 1024,
  maxConflictRounds: 3,
};

const item = (id: string, name: string) => ({ id: { S: id }, name: { S: name } });
const mapperError = { status: 400, error: { type: 'mapper_parsing_exception', reason: 'failed to parse field [name]' } };

/** The seed scenario and a second item, with sequence numbers 1..5. */
function sampleBatch() {
  return [
    insertRecord(item('user-001', 'テストユーザー'), { sequenceNumber: 1 }),
    insertRecord(item('user-002', 'b'), { sequenceNumber: 2 }),
    modifyRecord(item('user-001', 'テストユーザー'), item('user-001', '更新済みユーザー'), { sequenceNumber: 3 }),
    modifyRecord(item('user-002', 'b'), item('user-002', 'b2'), { sequenceNumber: 4 }),
    removeRecord(item('user-001', '更新済みユーザー'), { sequenceNumber: 5 }),
  ];
}

function liveMirror(search: InMemorySearch) {
  return Object.fromEntries(
    Object.entries(search.sources('test-table-v1'))
      .filter(([, source]) => !source._cdc.deleted)
      .map(([id, { _cdc, ...rest }]) => [id, rest]),
  );
}

describe('applying a batch', () => {
  it('writes every change to the change log and the newest state to the mirror in one bulk request', async () => {
    const search = new InMemorySearch();
    const result = await applyChanges(sampleBatch(), settings, search);
    expect(result.failures).toEqual([]);
    expect(result.changeLogWritten).toBe(5);
    expect(search.bulkRequests).toBe(1);
    expect(Object.keys(search.sources('dynamodb-cdc'))).toHaveLength(5);
    expect(liveMirror(search)).toEqual({ 'user-002': { id: 'user-002', name: 'b2' } });
    expect(search.sources('test-table-v1')['user-001']._cdc).toMatchObject({ deleted: true, sequence_number: '000000000000000000005' });
  });

  it('mirrors every type exactly', async () => {
    const search = new InMemorySearch();
    await applyChanges([insertRecord(EVERY_TYPE_ITEM)], settings, search);
    expect(search.sources('test-table-v1')['every-type']).toMatchObject({ text: 'テストユーザー 🚀 ünïcödé', strings: ['a', 'b', 'ç'] });
  });

  it('creates no duplicates when the same batch is delivered again', async () => {
    const search = new InMemorySearch();
    await applyChanges(sampleBatch(), settings, search);
    const before = JSON.stringify([...search.indexes.entries()].map(([name, docs]) => [name, [...docs.keys()]]));
    const again = await applyChanges(sampleBatch().map((r, i) => ({ ...r, eventID: `event-${String(i + 1).padStart(21, '0')}` })), settings, search);
    expect(again.duplicates).toBe(5);
    expect(again.changeLogWritten).toBe(0);
    expect(again.failures).toEqual([]);
    expect(JSON.stringify([...search.indexes.entries()].map(([name, docs]) => [name, [...docs.keys()]]))).toBe(before);
  });

  it('never moves the mirror back to an older image, and keeps a delete when an older write arrives late', async () => {
    const search = new InMemorySearch();
    const [insert1, insert2, modify1, modify2, remove1] = sampleBatch();
    await applyChanges([modify2, remove1], settings, search);
    await applyChanges([insert1, insert2, modify1], settings, search);
    expect(liveMirror(search)).toEqual({ 'user-002': { id: 'user-002', name: 'b2' } });
  });

  it('reports exactly the records whose items failed transiently, and dead-letters the permanent ones', async () => {
    const search = new InMemorySearch();
    search.itemFault = (index, id, source) => {
      if (index === 'dynamodb-cdc' && source.sequence_number === '000000000000000000002') return { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'queue full' } };
      if (index === 'test-table-v1' && id === 'user-002') return mapperError;
      return undefined;
    };
    const batch = sampleBatch();
    const result = await applyChanges(batch, settings, search);
    expect(result.failures.map((failure) => failure.sequenceNumber)).toEqual(['000000000000000000002']);
    expect(result.failures[0].reason).toMatch(/es_rejected_execution_exception/);
    // user-002's newest record (4) failed its mirror write for good: dead-lettered, not retried.
    expect(result.deadLettered).toEqual([{ position: 3, target: 'mirror', reason: expect.stringMatching(/mapper_parsing_exception/) }]);
    const letters = Object.values(search.sources('dynamodb-cdc-deadletter'));
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ target: 'mirror', error_type: 'mapper_parsing_exception', status: 400, sequence_number: '000000000000000000004' });
    expect(JSON.parse(letters[0].record_json)).toEqual(JSON.parse(JSON.stringify(batch[3])));
  });

  it('fails every record of a request that could not be sent', async () => {
    const search = new InMemorySearch();
    search.requestFault = () => new Error('connect ECONNREFUSED 127.0.0.1:9200');
    const result = await applyChanges(sampleBatch(), settings, search);
    expect(result.failures).toHaveLength(5);
    expect(result.failures[0].reason).toMatch(/ECONNREFUSED/);
  });

  it('does not trust a response that does not match the request', async () => {
    const search = new InMemorySearch();
    search.responseFilter = (response) => ({ ...response, items: response.items!.slice(1) });
    const result = await applyChanges(sampleBatch(), settings, search);
    expect(result.failures).toHaveLength(5);
    expect(result.failures[0].reason).toMatch(/6 items for 7 actions/);
  });

  it('re-plans a mirror write that lost a race with another writer', async () => {
    const search = new InMemorySearch();
    let raced = false;
    search.afterMget = () => {
      if (!raced) {
        raced = true;
        search.write('test-table-v1', 'user-002', { id: 'user-002', name: 'concurrent', _cdc: { sequence_number: '000000000000000000003' } });
      }
    };
    const result = await applyChanges(sampleBatch().slice(0, 4), settings, search);
    expect(result.failures).toEqual([]);
    expect(result.conflictRounds).toBe(1);
    expect(liveMirror(search)['user-002']).toEqual({ id: 'user-002', name: 'b2' });
  });

  it('dead-letters a malformed record and indexes the rest', async () => {
    const search = new InMemorySearch();
    const batch = [insertRecord(item('a', 'x'), { sequenceNumber: 1 }), { eventID: 'broken', eventName: 'INSERT', dynamodb: { SequenceNumber: '2' } }, insertRecord(item('b', 'y'), { sequenceNumber: 3 })];
    const result = await applyChanges(batch as never, settings, search);
    expect(result.failures).toEqual([]);
    expect(result.deadLettered).toEqual([{ position: 1, target: 'record', reason: expect.stringMatching(/Keys is missing/) }]);
    expect(Object.keys(liveMirror(search)).sort()).toEqual(['a', 'b']);
  });

  it('retries a record whose dead letter could not be written', async () => {
    const search = new InMemorySearch();
    search.itemFault = (index, id) =>
      index === 'test-table-v1' && id === 'user-002' ? mapperError : index === 'dynamodb-cdc-deadletter' ? { status: 503, error: { type: 'unavailable', reason: 'down' } } : undefined;
    const result = await applyChanges(sampleBatch(), settings, search);
    expect(result.failures.map((failure) => failure.position)).toEqual([3]);
    expect(result.deadLettered).toEqual([]);
  });

  it('splits a batch larger than the bulk size limit into several requests', async () => {
    const search = new InMemorySearch();
    const result = await applyChanges(sampleBatch(), { ...settings, maxBulkBytes: 600 }, search);
    expect(result.failures).toEqual([]);
    expect(search.bulkRequests).toBeGreaterThan(1);
    expect(Object.keys(search.sources('dynamodb-cdc'))).toHaveLength(5);
  });
});
