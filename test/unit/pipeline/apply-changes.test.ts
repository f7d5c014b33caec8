import { applyChanges, type PipelineSettings } from '../../../lambda/pipeline/apply-changes';
import type { WriteAction } from '../../../lambda/core/writes';
import { InMemorySearch } from '../../support/in-memory-search';
import { EVERY_TYPE_ITEM, insertRecord, modifyRecord, removeRecord } from '../../support/stream-records';

const settings: PipelineSettings = {
  indexes: { changeLog: 'dynamodb-cdc', mirror: 'test-table', deadLetter: 'dynamodb-cdc-deadletter' },
  keySchema: { partitionKey: 'id' },
  changeLogPartitioning: 'none',
};
const MIRROR = 'test-table-v1';
const TOMBSTONES = 'test-table-tombstones';

/** The version a writer of the stream's changes gives the sample records (their creation time, in microseconds). */
const STREAM_VERSION = 1704110400 * 1_000_000;

const item = (id: string, name: string) => ({ id: { S: id }, name: { S: name } });
const refused = {
  kind: 'unindexable',
  reason: 'mapper_parsing_exception: failed to parse field [name]',
  errorType: 'mapper_parsing_exception',
} as const;
const tooLarge = { kind: 'refused', reason: 'too large', errorType: 'request_entity_too_large', status: 413 } as const;
const busy = { kind: 'retry', reason: 'es_rejected_execution_exception: queue full' } as const;
const to = (index: string, id?: string) => (action: WriteAction) => action.index === index && (id === undefined || action.id === id);

/** The demo scenario and a second item, with sequence numbers 1..5. */
function sampleBatch() {
  return [
    insertRecord(item('user-001', 'テストユーザー'), { sequenceNumber: 1 }),
    insertRecord(item('user-002', 'b'), { sequenceNumber: 2 }),
    modifyRecord(item('user-001', 'テストユーザー'), item('user-001', '更新済みユーザー'), { sequenceNumber: 3 }),
    modifyRecord(item('user-002', 'b'), item('user-002', 'b2'), { sequenceNumber: 4 }),
    removeRecord(item('user-001', '更新済みユーザー'), { sequenceNumber: 5 }),
  ];
}

function mirrorItems(search: InMemorySearch) {
  return Object.fromEntries(Object.entries(search.sources(MIRROR)).map(([id, { _cdc, ...rest }]) => [id, rest]));
}

describe('applying a batch', () => {
  it('writes every change to the change log and the newest state of each item to the mirror', async () => {
    const search = new InMemorySearch();
    const result = await applyChanges(sampleBatch(), settings, search);
    expect(result).toMatchObject({
      failures: [],
      deadLettered: [],
      changeLogWritten: 5,
      mirrorWritten: 1,
      mirrorDeleted: 1,
      mirrorSuperseded: 3,
    });
    expect(Object.keys(search.sources('dynamodb-cdc'))).toHaveLength(5);
    expect(mirrorItems(search)).toEqual({ 'user-002': { id: 'user-002', name: 'b2' } });
  });

  it('removes a deleted item from the mirror and remembers the delete in the tombstones', async () => {
    const search = new InMemorySearch();
    await applyChanges(sampleBatch().slice(0, 4), settings, search);
    expect(Object.keys(search.sources(MIRROR))).toEqual(['user-001', 'user-002']);
    await applyChanges(sampleBatch().slice(4), settings, search);
    expect(Object.keys(search.sources(MIRROR))).toEqual(['user-002']);
    expect(search.sources(TOMBSTONES)['user-001']._cdc).toMatchObject({ sequence_number: '000000000000000000005', event_name: 'REMOVE' });
  });

  it('mirrors every type exactly', async () => {
    const search = new InMemorySearch();
    await applyChanges([insertRecord(EVERY_TYPE_ITEM)], settings, search);
    expect(search.sources(MIRROR)['every-type']).toMatchObject({ text: 'テストユーザー 🚀 ünïcödé', strings: ['a', 'b', 'ç'] });
  });

  it('creates no duplicates when the same batch is delivered again', async () => {
    const search = new InMemorySearch();
    await applyChanges(sampleBatch(), settings, search);
    const before = JSON.stringify([search.sources('dynamodb-cdc'), search.sources(MIRROR), search.sources(TOMBSTONES)]);
    const again = await applyChanges(
      sampleBatch().map((r, i) => ({ ...r, eventID: `event-${String(i + 1).padStart(21, '0')}` })),
      settings,
      search,
    );
    expect(again).toMatchObject({ duplicates: 5, changeLogWritten: 0, mirrorWritten: 0, failures: [] });
    expect(JSON.stringify([search.sources('dynamodb-cdc'), search.sources(MIRROR), search.sources(TOMBSTONES)])).toBe(before);
  });

  it('never moves the mirror back to an older image, and a late older write never resurrects a deleted item', async () => {
    const search = new InMemorySearch();
    const [insert1, insert2, modify1, modify2, remove1] = sampleBatch();
    await applyChanges([modify2, remove1], settings, search);
    await applyChanges([insert1, insert2, modify1], settings, search);
    expect(mirrorItems(search)).toEqual({ 'user-002': { id: 'user-002', name: 'b2' } });
  });

  it('reports exactly the records whose writes failed transiently, and dead-letters those refused for good', async () => {
    const search = new InMemorySearch();
    search.fault = (action) =>
      to('dynamodb-cdc')(action) && action.records[0] === 1 ? busy : to(MIRROR, 'user-002')(action) ? tooLarge : undefined;
    const batch = sampleBatch();
    const result = await applyChanges(batch, settings, search);
    expect(result.failures.map((failure) => failure.sequenceNumber)).toEqual(['000000000000000000002']);
    expect(result.failures[0].reason).toMatch(/es_rejected_execution_exception/);
    expect(result.deadLettered).toEqual([{ position: 3, target: 'mirror', reason: 'too large' }]);
    const letters = Object.values(search.sources('dynamodb-cdc-deadletter'));
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      target: 'mirror',
      error_type: 'request_entity_too_large',
      status: 413,
      sequence_number: '000000000000000000004',
      table_name: 'test-table',
    });
    expect(letters[0].stream_arn).toMatch(/table\/test-table\/stream/);
    expect(JSON.parse(letters[0].record_json)).toEqual(JSON.parse(JSON.stringify(batch[3])));
  });

  it('writes an item the mirror cannot index in the stored form instead of refusing it', async () => {
    const search = new InMemorySearch();
    search.fault = (action) =>
      to(MIRROR, 'user-002')(action) && action.operation === 'put' && !action.document.includes('unindexed') ? refused : undefined;
    const result = await applyChanges([insertRecord(item('user-002', 'b'))], settings, search);
    expect(result).toMatchObject({ failures: [], deadLettered: [], mirrorWritten: 1, unindexed: 1 });
    expect(search.sources(MIRROR)['user-002']._cdc).toMatchObject({
      unindexed: { id: 'user-002', name: 'b' },
      unindexed_reason: refused.reason,
    });
  });

  it('keeps one dead letter per refused write when both indexes refuse a record', async () => {
    const search = new InMemorySearch();
    search.fault = (action) => (to('dynamodb-cdc')(action) || to(MIRROR)(action) ? tooLarge : undefined);
    const result = await applyChanges([insertRecord(item('a', 'x'))], settings, search);
    expect(result.deadLettered.map((letter) => letter.target).sort()).toEqual(['change-log', 'mirror']);
    expect(
      Object.values(search.sources('dynamodb-cdc-deadletter'))
        .map((letter) => letter.target)
        .sort(),
    ).toEqual(['change-log', 'mirror']);
  });

  describe('a document refused even in its stored form', () => {
    /** A 400 no list knows, about the index, not the document: an ingest pipeline the index names is missing. */
    const noPipeline = {
      kind: 'unindexable',
      reason: 'illegal_argument_exception: pipeline with id [enrich] does not exist',
      errorType: 'illegal_argument_exception',
    } as const;

    it('is retried, not dead-lettered, when refused with the very error of its indexed form (the index refuses any write)', async () => {
      const search = new InMemorySearch();
      search.fault = (action) => (to(MIRROR)(action) || to('dynamodb-cdc')(action) ? noPipeline : undefined);
      const result = await applyChanges([insertRecord(item('a', 'x'))], settings, search);
      expect(result.deadLettered).toEqual([]);
      expect(result.failures).toEqual([
        {
          position: 0,
          sequenceNumber: expect.any(String),
          reason: expect.stringMatching(/refused in the stored form too.*pipeline with id \[enrich\]/),
        },
      ]);
      expect(search.sources('dynamodb-cdc-deadletter')).toEqual({});
    });

    it('is dead-lettered when the stored form is refused for another reason than the indexed form', async () => {
      const search = new InMemorySearch();
      search.fault = (action) => {
        if (!to(MIRROR)(action) || action.operation !== 'put') return undefined;
        return action.document.includes('unindexed') ? { ...refused, reason: 'mapper_parsing_exception: failed to parse [_cdc]' } : refused;
      };
      const result = await applyChanges([insertRecord(item('a', 'x'))], settings, search);
      expect(result.failures).toEqual([]);
      expect(result.deadLettered).toEqual([{ position: 0, target: 'mirror', reason: 'mapper_parsing_exception: failed to parse [_cdc]' }]);
    });
  });

  it('retries every mirror record when the current state cannot be read, and still writes the change log', async () => {
    const search = new InMemorySearch();
    search.readFault = () => new Error('connect ECONNREFUSED 127.0.0.1:9200');
    const result = await applyChanges(sampleBatch(), settings, search);
    expect(result.failures.map((failure) => failure.position)).toEqual([0, 1, 2, 3, 4]);
    expect(result.failures.every((failure) => /mirror: reading current state failed: .*ECONNREFUSED/.test(failure.reason))).toBe(true);
    // The change log needs no read: all five changes are written there, and nothing to the mirror.
    expect(result).toMatchObject({ changeLogWritten: 5, mirrorWritten: 0, mirrorDeleted: 0 });
    expect(
      Object.values(search.sources('dynamodb-cdc'))
        .map((document) => `${document.event_name} ${document.keys.id.S} ${document.sequence_number}`)
        .sort(),
    ).toEqual([
      'INSERT user-001 000000000000000000001',
      'INSERT user-002 000000000000000000002',
      'MODIFY user-001 000000000000000000003',
      'MODIFY user-002 000000000000000000004',
      'REMOVE user-001 000000000000000000005',
    ]);
    expect(search.sources(MIRROR)).toEqual({});
    expect(search.sources(TOMBSTONES)).toEqual({});
  });

  it('plans again a mirror write that lost a race with another writer, counting each write once', async () => {
    const search = new InMemorySearch();
    let raced = false;
    search.afterRead = () => {
      if (!raced) {
        raced = true;
        const concurrent = { id: 'user-002', name: 'concurrent', _cdc: { sequence_number: '000000000000000000003' } };
        search.put(MIRROR, 'user-002', concurrent, STREAM_VERSION);
      }
    };
    const result = await applyChanges(sampleBatch().slice(0, 4), settings, search);
    expect(result).toMatchObject({ failures: [], conflictRounds: 1, mirrorWritten: 2, mirrorSuperseded: 2 });
    expect(mirrorItems(search)['user-002']).toEqual({ id: 'user-002', name: 'b2' });
  });

  it('takes back an upsert when a newer delete of its item was recorded meanwhile', async () => {
    const search = new InMemorySearch();
    let reads = 0;
    search.afterRead = () => {
      if (++reads === 1) search.put(TOMBSTONES, 'a', { _cdc: { sequence_number: '000000000000000000009' } });
    };
    const result = await applyChanges([insertRecord(item('a', 'x'), { sequenceNumber: 1 })], settings, search);
    expect(result.failures).toEqual([]);
    expect(search.sources(MIRROR)).toEqual({});
  });

  it('finishes a delete left half done (tombstone recorded, document not yet deleted) when the batch comes again', async () => {
    const search = new InMemorySearch();
    const [insert1, , , , remove1] = sampleBatch();
    await applyChanges([insert1], settings, search);
    search.fault = (action) =>
      to(MIRROR)(action) && action.operation === 'delete' ? { kind: 'retry', reason: 'connection reset' } : undefined;
    const failed = await applyChanges([remove1], settings, search);
    expect(failed.failures.map((failure) => failure.position)).toEqual([0]);
    expect(Object.keys(search.sources(TOMBSTONES))).toEqual(['user-001']);
    expect(Object.keys(search.sources(MIRROR))).toEqual(['user-001']);
    search.fault = () => undefined;
    const retried = await applyChanges([remove1], settings, search);
    expect(retried).toMatchObject({ failures: [], mirrorDeleted: 1 });
    expect(search.sources(MIRROR)).toEqual({});
  });

  it('never leaves a deleted item behind when an older upsert by another writer races with the delete', async () => {
    // The function deletes x@200 while a re-drive applies x@150: the re-drive's write lands after
    // the function read the state and before its tombstone; the delete then loses its race.
    const search = new InMemorySearch();
    await applyChanges([insertRecord(item('x', 'v100'), { sequenceNumber: 100 })], settings, search);
    let raced = false;
    search.afterRead = () => {
      if (raced) return;
      raced = true;
      search.put(MIRROR, 'x', { id: 'x', name: 'v150', _cdc: { sequence_number: '000000000000000000150' } });
    };
    const result = await applyChanges(
      [removeRecord(item('x', 'v100'), { sequenceNumber: 200 })],
      { ...settings, mayRaceWithDeletes: false },
      search,
    );
    expect(result.failures).toEqual([]);
    expect(search.sources(MIRROR)).toEqual({});
    expect(search.sources(TOMBSTONES).x._cdc.sequence_number).toBe('000000000000000000200');
  });

  it('dead-letters a record holding a value that is not a number, and writes the rest of its batch', async () => {
    const search = new InMemorySearch();
    const bad = insertRecord({ id: { S: 'bad' }, n: { N: '1,5' } }, { sequenceNumber: 1 });
    const badKey = insertRecord({ id: { N: 'abc' } }, { sequenceNumber: 2 });
    const result = await applyChanges([bad, badKey, insertRecord(item('good', 'g'), { sequenceNumber: 3 })], settings, search);
    expect(result.failures).toEqual([]);
    expect(result.deadLettered).toEqual([
      { position: 0, target: 'record', reason: expect.stringMatching(/NewImage\.n\.N must be a number as text, got "1,5"/) },
      { position: 1, target: 'record', reason: expect.stringMatching(/id\.N must be a number as text, got "abc"/) },
    ]);
    expect(Object.keys(mirrorItems(search))).toEqual(['good']);
  });

  it('writes a record whose event id is longer than an OpenSearch id, under a bounded id', async () => {
    const search = new InMemorySearch();
    const long = { ...insertRecord(item('a', 'x')), eventID: 'e'.repeat(600) };
    const result = await applyChanges([long], settings, search);
    expect(result).toMatchObject({ failures: [], deadLettered: [], changeLogWritten: 1 });
    expect(Object.keys(search.sources('dynamodb-cdc'))[0]).toMatch(/^\\sha256:[0-9a-f]{64}$/);
  });

  it('dead-letters malformed records one by one, and indexes the rest', async () => {
    const search = new InMemorySearch();
    const batch = [
      insertRecord(item('a', 'x'), { sequenceNumber: 1 }),
      { eventName: 'INSERT', dynamodb: { SequenceNumber: '2' } },
      { eventName: 'INSERT', dynamodb: { SequenceNumber: '3' } },
      insertRecord(item('b', 'y'), { sequenceNumber: 4 }),
    ];
    const result = await applyChanges(batch as never, settings, search);
    expect(result.failures).toEqual([]);
    expect(result.deadLettered.map((letter) => letter.position)).toEqual([1, 2]);
    expect(Object.keys(search.sources('dynamodb-cdc-deadletter'))).toHaveLength(2);
    expect(Object.keys(mirrorItems(search)).sort()).toEqual(['a', 'b']);
  });

  it('dead-letters a record whose keys do not match the key schema from the mirror, and keeps it in the change log', async () => {
    const search = new InMemorySearch();
    const record = insertRecord({ id: { S: 'a' }, sk: { S: 'b' } }, { keys: { id: { S: 'a' }, sk: { S: 'b' } } });
    const result = await applyChanges([record], settings, search);
    expect(result.deadLettered).toEqual([
      { position: 0, target: 'mirror', reason: expect.stringMatching(/do not match the configured key schema/) },
    ]);
    expect(Object.keys(search.sources('dynamodb-cdc'))).toHaveLength(1);
    expect(search.sources(MIRROR)).toEqual({});
  });

  it('retries a record whose dead letter could not be written', async () => {
    const search = new InMemorySearch();
    search.fault = (action) => (to(MIRROR, 'user-002')(action) ? tooLarge : to('dynamodb-cdc-deadletter')(action) ? busy : undefined);
    const result = await applyChanges(sampleBatch(), settings, search);
    expect(result.failures.map((failure) => failure.position)).toEqual([3]);
    expect(result.deadLettered).toEqual([]);
  });

  describe("a hand-made record (the README's manual invoke)", () => {
    const manual = {
      eventName: 'INSERT',
      dynamodb: { Keys: { id: { S: 'test' } }, NewImage: { id: { S: 'test' }, name: { S: 'テスト' } } },
    };

    it('reaches the change log and the mirror; sent again, it is a duplicate', async () => {
      const search = new InMemorySearch();
      const first = await applyChanges([manual as never], settings, search);
      expect(first).toMatchObject({ failures: [], deadLettered: [], changeLogWritten: 1, mirrorWritten: 1 });
      expect(Object.values(search.sources('dynamodb-cdc'))[0]).toMatchObject({ manual: true, event_name: 'INSERT' });
      expect(mirrorItems(search)).toEqual({ test: { id: 'test', name: 'テスト' } });
      const again = await applyChanges([manual as never], settings, search);
      expect(again).toMatchObject({ duplicates: 1, changeLogWritten: 0 });
      expect(Object.keys(search.sources('dynamodb-cdc'))).toHaveLength(1);
      expect(mirrorItems(search)).toEqual({ test: { id: 'test', name: 'テスト' } });
    });

    it('never overrides or resurrects what a stream change wrote', async () => {
      const search = new InMemorySearch();
      await applyChanges([insertRecord(item('test', 'real'), { sequenceNumber: 7 })], settings, search);
      await applyChanges([manual as never], settings, search);
      expect(mirrorItems(search)).toEqual({ test: { id: 'test', name: 'real' } });
      await applyChanges([removeRecord(item('test', 'real'), { sequenceNumber: 8 })], settings, search);
      await applyChanges(
        [{ ...manual, dynamodb: { ...manual.dynamodb, NewImage: { id: { S: 'test' }, name: { S: 'again' } } } } as never],
        settings,
        search,
      );
      expect(mirrorItems(search)).toEqual({});
    });

    it('is changed and removed by later manual records (the last manual change wins)', async () => {
      const search = new InMemorySearch();
      const modify = { eventName: 'MODIFY', dynamodb: { ...manual.dynamodb, NewImage: { id: { S: 'test' }, name: { S: 'changed' } } } };
      const remove = { eventName: 'REMOVE', dynamodb: { Keys: manual.dynamodb.Keys, OldImage: modify.dynamodb.NewImage } };
      await applyChanges([manual as never], settings, search);
      await applyChanges([modify as never], settings, search);
      expect(mirrorItems(search)).toEqual({ test: { id: 'test', name: 'changed' } });
      await applyChanges([remove as never], settings, search);
      expect(mirrorItems(search)).toEqual({});
      await applyChanges([manual as never, modify as never], settings, search);
      expect(mirrorItems(search)).toEqual({ test: { id: 'test', name: 'changed' } });
    });

    it('is retried by throwing when it fails, as it has no sequence number to report', async () => {
      const search = new InMemorySearch();
      search.fault = () => busy;
      const result = await applyChanges([manual as never], settings, search);
      expect(result.failures).toEqual([{ position: 0, sequenceNumber: undefined, reason: expect.stringMatching(/queue full/) }]);
    });
  });

  describe('with daily change-log partitions', () => {
    const daily: PipelineSettings = { ...settings, changeLogPartitioning: 'daily' };
    const lastSecondOfNov27 = Date.UTC(2026, 10, 27, 23, 59, 59) / 1000;

    it('writes each change to the partition of its creation day (UTC), whatever the day it is processed', async () => {
      const search = new InMemorySearch();
      const batch = [
        insertRecord(item('a', 'x'), { sequenceNumber: 1, at: lastSecondOfNov27 }),
        modifyRecord(item('a', 'x'), item('a', 'y'), { sequenceNumber: 2, at: lastSecondOfNov27 + 1 }),
      ];
      const result = await applyChanges(batch, daily, search, () => new Date('2026-11-30T10:00:00Z'));
      expect(result).toMatchObject({ failures: [], changeLogWritten: 2 });
      expect(Object.values(search.sources('dynamodb-cdc-2026.11.27')).map((doc) => doc.event_name)).toEqual(['INSERT']);
      expect(Object.values(search.sources('dynamodb-cdc-2026.11.28')).map((doc) => doc.event_name)).toEqual(['MODIFY']);
      expect(search.sources('dynamodb-cdc')).toEqual({});
    });

    it('finds a redelivered change in its first partition, on a later day too: a duplicate', async () => {
      const search = new InMemorySearch();
      const batch = [insertRecord(item('a', 'x'), { sequenceNumber: 1, at: lastSecondOfNov27 })];
      await applyChanges(batch, daily, search, () => new Date('2026-11-27T23:59:59Z'));
      const again = await applyChanges(batch, daily, search, () => new Date('2026-11-28T00:00:05Z'));
      expect(again).toMatchObject({ failures: [], duplicates: 1, changeLogWritten: 0 });
      expect(Object.keys(search.sources('dynamodb-cdc-2026.11.28'))).toEqual([]);
    });
  });
  describe("on the mirror's mapping (an engine that maps, refuses and skips as OpenSearch 2.19 does)", () => {
    const attributes = (id: string, rest: Record<string, unknown>) => ({ id: { S: id }, ...rest }) as never;
    function mapped(limit?: number): InMemorySearch {
      const search = new InMemorySearch();
      search.mapIndex(MIRROR, limit);
      return search;
    }

    it('moves a map that arrives where text is mapped to _cdc.unindexed with the reason, and indexes the rest', async () => {
      const search = mapped();
      await applyChanges([insertRecord(attributes('1', { a: { S: 'text first' } }), { sequenceNumber: 1 })], settings, search);
      const result = await applyChanges(
        [insertRecord(attributes('2', { a: { M: { b: { S: 'x' } } }, c: { S: 'y' } }), { sequenceNumber: 2 })],
        settings,
        search,
      );
      expect(search.skippedWithoutTrace).toEqual([]);
      expect(result).toMatchObject({ failures: [], deadLettered: [], mirrorWritten: 1, unindexed: 1, conflictRounds: 0 });
      expect(search.sources(MIRROR)['2']).toEqual({
        id: '2',
        c: 'y',
        _cdc: expect.objectContaining({
          unindexed: { a: { b: 'x' } },
          unindexed_reason: '"a": "a" is mapped as text: a map there would be skipped by the index without a trace',
        }),
      });
    });

    it('moves only text that arrives where a map is mapped, not the whole item, without a refusal first', async () => {
      const search = mapped();
      await applyChanges([insertRecord(attributes('1', { a: { M: { b: { S: 'x' } } } }), { sequenceNumber: 1 })], settings, search);
      const result = await applyChanges(
        [insertRecord(attributes('2', { a: { S: 'text' }, c: { S: 'y' } }), { sequenceNumber: 2 })],
        settings,
        search,
      );
      expect(result).toMatchObject({ failures: [], conflictRounds: 0, unindexed: 1 });
      expect(search.sources(MIRROR)['2']).toMatchObject({ id: '2', c: 'y', _cdc: { unindexed: { a: 'text' } } });
    });

    it('lets the first item of a batch map a new path, and moves another kind there in a later item of the batch', async () => {
      const search = mapped();
      const result = await applyChanges(
        [
          insertRecord(attributes('1', { a: { S: 'text' } }), { sequenceNumber: 1 }),
          insertRecord(attributes('2', { a: { M: { b: { S: 'x' } } }, c: { S: 'y' } }), { sequenceNumber: 2 }),
        ],
        settings,
        search,
      );
      expect(search.skippedWithoutTrace).toEqual([]);
      expect(result).toMatchObject({ failures: [], mirrorWritten: 2, conflictRounds: 0 });
      expect(search.sources(MIRROR)['1'].a).toBe('text');
      expect(search.sources(MIRROR)['2']).toMatchObject({ c: 'y', _cdc: { unindexed: { a: { b: 'x' } } } });
    });

    it('at the field limit, keeps indexing the known attributes of an item and moves only its new names', async () => {
      const search = mapped(13); // _cdc (8), id and its .keyword (2), known (1), n (1), one field free
      await applyChanges(
        [insertRecord(attributes('1', { known: { BOOL: true }, n: { N: '1' } }), { sequenceNumber: 1 })],
        settings,
        search,
      );
      const result = await applyChanges(
        [
          insertRecord(attributes('2', { known: { BOOL: false }, n: { N: '2' }, fresh: { S: 'new' }, small: { N: '3' } }), {
            sequenceNumber: 2,
          }),
        ],
        settings,
        search,
      );
      expect(result).toMatchObject({ failures: [], conflictRounds: 0, unindexed: 1 });
      expect(search.sources(MIRROR)['2']).toMatchObject({ id: '2', known: false, n: 2, small: 3, _cdc: { unindexed: { fresh: 'new' } } });
      expect(search.sources(MIRROR)['2']._cdc.unindexed_reason).toMatch(/"fresh": the mirror's mapping holds 12 of its 13 fields/);
    });

    it('tells the port what its done writes mapped, so the next batch needs no read for them', async () => {
      const search = mapped();
      await applyChanges([insertRecord(attributes('1', { a: { M: { b: { N: '1' } } } }))], settings, search);
      expect(search.mappingCalls.learned).toEqual([
        ['id', 'text'],
        ['a', 'object'],
        ['a.b', 'number'],
      ]);
    });

    it('reads the mapping again after a refusal (another writer mapped the path meanwhile) and moves only what conflicts', async () => {
      const search = mapped();
      // Known to the port before another writer mapped `a` as a map.
      const stale = await search.mappedFields(MIRROR);
      search.mapIndex(MIRROR).take({ a: { b: 'x' } });
      const live = search.mappedFields.bind(search);
      let reads = 0;
      search.mappedFields = async (index: string) => (reads++ === 0 ? stale : live(index));
      const result = await applyChanges([insertRecord(attributes('2', { a: { S: 'text' }, c: { S: 'y' } }))], settings, search);
      expect(result).toMatchObject({ failures: [], deadLettered: [], mirrorWritten: 1, conflictRounds: 1 });
      expect(search.mappingCalls.forgotten).toBe(1);
      expect(search.sources(MIRROR)['2']).toMatchObject({ id: '2', c: 'y', _cdc: { unindexed: { a: 'text' } } });
    });
  });
});
