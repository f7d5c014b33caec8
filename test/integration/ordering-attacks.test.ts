/**
 * The ordering scheme (docs/ordering.md) against the real OpenSearch, with crafted stream records
 * whose creation times, sequence numbers and delivery order are chosen: many changes of one item
 * in one second, redelivered and replayed batches, deletes the engine has forgotten.
 * After every batch applied, each item's mirror document must be the newest change applied so far
 * (absent after a REMOVE); the change log must hold each change exactly once.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { ensureIndexes, OpenSearchPort, overTransport } from '../../lambda/adapters/opensearch';
import { applyChanges, AS_THE_FUNCTION_WRITES, type PipelineSettings } from '../../lambda/pipeline/apply-changes';
import { mirrorBackingIndex } from '../../lambda/settings/index-names';
import { compareSequenceNumbers } from '../../lambda/core/sequence-number';
import type { AttributeMap } from '../../lambda/core/change-record';
import type { DocumentRef, FieldKind, WriteAction, WriteOutcome } from '../../lambda/core';
import type { SearchPort } from '../../lambda/pipeline/search-port';
import { namesFor } from '../support/isolated-function';
import { endpoints, runPrefix, search } from '../support/live-system';
import { insertRecord, modifyRecord, removeRecord } from '../support/stream-records';

const os = search();
const transport = overTransport(os.transport);
const port = new OpenSearchPort(transport, 9 * 1024 * 1024);

afterAll(() => os.close());

type Item = AttributeMap;
const item = (id: string, n: number): Item => ({ id: { S: id }, n: { N: String(n) } });

/** As the function runs it (handler.ts). */
function functionSettings(prefix: string): PipelineSettings {
  return {
    indexes: namesFor(prefix),
    keySchema: { partitionKey: 'id' },
    changeLogPartitioning: 'none',
    ...AS_THE_FUNCTION_WRITES,
  };
}

async function setUp(prefix: string): Promise<PipelineSettings> {
  const settings = functionSettings(prefix);
  await ensureIndexes(transport, { indexes: settings.indexes, changeLogPartitioning: 'none' });
  return settings;
}

async function tearDown(prefix: string): Promise<void> {
  await os.indices.delete({ index: `${prefix}-*`, ignore_unavailable: true, expand_wildcards: 'all' } as never).catch(() => undefined);
}

async function apply(records: DynamoDBRecord[], settings: PipelineSettings): Promise<void> {
  const result = await applyChanges(records, settings, port);
  expect(result.failures).toEqual([]);
  expect(result.deadLettered).toEqual([]);
}

/** The mirror's live documents: id -> { n, sequence number, version }. */
async function mirrorState(prefix: string): Promise<Record<string, { n: string; seq: string; version: number }>> {
  const index = mirrorBackingIndex(namesFor(prefix).mirror);
  await os.indices.refresh({ index });
  const response = await fetch(`${endpoints.openSearch}/${index}/_search?version=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ size: 10_000, query: { match_all: {} } }),
  });
  const hits = ((await response.json()) as any).hits.hits as any[];
  return Object.fromEntries(
    hits.map((hit) => [hit._id, { n: String(hit._source.n), seq: hit._source._cdc.sequence_number, version: hit._version }]),
  );
}

async function changeLogCounts(prefix: string): Promise<Map<string, number>> {
  const index = namesFor(prefix).changeLog;
  await os.indices.refresh({ index });
  const response = await fetch(`${endpoints.openSearch}/${index}/_search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ size: 10_000, query: { match_all: {} }, _source: ['event_id', 'sequence_number'] }),
  });
  const hits = ((await response.json()) as any).hits.hits as any[];
  const counts = new Map<string, number>();
  for (const hit of hits) counts.set(hit._source.sequence_number, (counts.get(hit._source.sequence_number) ?? 0) + 1);
  return counts;
}

async function setGcDeletes(prefix: string, value: string): Promise<void> {
  await os.indices.putSettings({ index: mirrorBackingIndex(namesFor(prefix).mirror), body: { index: { gc_deletes: value } } } as never);
}

/** What the mirror must hold given the changes applied so far: the newest change of each item (by sequence number). */
function expectedMirror(applied: readonly DynamoDBRecord[]): Record<string, { n: string; seq: string }> {
  const newest = new Map<string, DynamoDBRecord>();
  for (const record of applied) {
    const id = record.dynamodb!.Keys!.id.S!;
    const seen = newest.get(id);
    if (!seen || compareSequenceNumbers(record.dynamodb!.SequenceNumber!, seen.dynamodb!.SequenceNumber!) > 0) newest.set(id, record);
  }
  const expected: Record<string, { n: string; seq: string }> = {};
  for (const [id, record] of newest) {
    if (record.eventName !== 'REMOVE') expected[id] = { n: record.dynamodb!.NewImage!.n.N!, seq: record.dynamodb!.SequenceNumber! };
  }
  return expected;
}

function withoutVersions(state: Record<string, { n: string; seq: string; version: number }>): Record<string, { n: string; seq: string }> {
  return Object.fromEntries(Object.entries(state).map(([id, { n, seq }]) => [id, { n, seq }]));
}

/** A deterministic pseudo-random source (seeded), so a failing run can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

interface History {
  readonly records: DynamoDBRecord[];
}

/**
 * A history of valid changes of a few items: each item INSERT, MODIFY*, REMOVE, INSERT... with
 * global sequence numbers and creation times that never go back per item, many in one second.
 */
/** `backwards`: seconds one item's creation time may run back between its changes (within the skew window, as docs/ordering.md allows). */
function historyOf(prefix: string, seed: number, count: number, items: number, digits: number, backwards = 0): History {
  const next = random(seed);
  const alive = new Map<string, Item>();
  const lastTime = new Map<string, number>();
  const base = 1_790_000_000;
  let clock = base;
  const records: DynamoDBRecord[] = [];
  for (let i = 1; i <= count; i++) {
    const id = `${prefix}-k${Math.floor(next() * items)}`;
    if (next() < 0.3) clock += 1 + Math.floor(next() * 2); // often the same second
    // Across items the times may be slightly behind each other; per item never backwards.
    const at = Math.max((lastTime.get(id) ?? 0) - Math.floor(next() * (backwards + 1)), clock - Math.floor(next() * 2));
    lastTime.set(id, at);
    // digits 0: lengths growing from 21 to 40 along the history, as AWS's do.
    const length = digits === 0 ? Math.min(40, 21 + Math.floor((i * 20) / count)) : digits;
    const sequenceNumber = `${'1'.padEnd(length - 6, '0')}${String(i).padStart(6, '0')}`;
    const current = alive.get(id);
    const options = { sequenceNumber, at, eventId: `${prefix}-e${i}` };
    if (current === undefined) {
      const created = item(id, i);
      alive.set(id, created);
      records.push(insertRecord(created, options));
    } else if (next() < 0.35) {
      alive.delete(id);
      records.push(removeRecord(current, options));
    } else {
      const changed = item(id, i);
      alive.set(id, changed);
      records.push(modifyRecord(current, changed, options));
    }
  }
  return { records };
}

function chunks<T>(values: readonly T[], next: () => number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < values.length;) {
    const size = 1 + Math.floor(next() * 5);
    out.push(values.slice(start, start + size));
    start += size;
  }
  return out;
}

/** Closing and opening an index makes the engine forget every delete's version. */
async function closeAndOpen(prefix: string): Promise<void> {
  const index = mirrorBackingIndex(namesFor(prefix).mirror);
  await os.indices.close({ index } as never);
  await os.indices.open({ index, wait_for_active_shards: 'all' } as never);
  await os.cluster.health({ index, wait_for_status: 'yellow', timeout: '30s' } as never);
}

/**
 * The real port, with faults as a loaded cluster and a timed-out client show them: some writes
 * not done (`retry`), some done but reported `retry` (the answer lost), some reads failing.
 */
class FlakyPort implements SearchPort {
  constructor(
    private readonly real: OpenSearchPort,
    private readonly next: () => number,
    private readonly rate: number,
  ) {}
  readStates(refs: readonly DocumentRef[]) {
    return this.next() < this.rate ? Promise.reject(new Error('injected read failure')) : this.real.readStates(refs);
  }
  async write(actions: readonly WriteAction[]): Promise<WriteOutcome[]> {
    const fates = actions.map(() => this.next());
    const sent = actions.filter((_, i) => fates[i] >= this.rate / 2);
    const outcomes = await this.real.write(sent);
    let at = 0;
    return actions.map((_, i) => {
      if (fates[i] < this.rate / 2) return { kind: 'retry', reason: 'injected: not sent' };
      const outcome = outcomes[at++];
      return fates[i] < this.rate ? { kind: 'retry', reason: 'injected: answer lost' } : outcome;
    });
  }
  mappedFields(index: string, paths: ReadonlySet<string>) {
    return this.real.mappedFields(index, paths);
  }
  fieldsMapped(index: string, fields: ReadonlyMap<string, FieldKind>) {
    this.real.fieldsMapped(index, fields);
  }
  forgetMapping(index: string) {
    this.real.forgetMapping(index);
  }
}

/** As Lambda does: the batch again until none of its records fails (with faults, then without). */
async function applyUntilDone(records: DynamoDBRecord[], settings: PipelineSettings, flaky: SearchPort | undefined): Promise<void> {
  for (let attempt = 0; flaky && attempt < 5; attempt++) {
    const result = await applyChanges(records, settings, flaky);
    expect(result.deadLettered).toEqual([]);
    if (result.failures.length === 0) return;
  }
  await apply(records, settings);
}

interface ScenarioOptions {
  readonly faults?: number;
  readonly gcDeletes?: string;
  readonly digits?: number;
  readonly replays?: boolean;
  readonly closeOpen?: boolean;
  readonly backwards?: number;
}

async function runScenario(name: string, seed: number, options: ScenarioOptions) {
  const prefix = runPrefix(name);
  const settings = await setUp(prefix);
  try {
    if (options.gcDeletes) await setGcDeletes(prefix, options.gcDeletes);
    const next = random(seed * 7 + 1);
    const { records } = historyOf(prefix, seed, 60, 3, options.digits ?? 21, options.backwards);
    const batches = chunks(records, next);
    const flaky = options.faults ? new FlakyPort(port, random(seed * 13 + 5), options.faults) : undefined;
    const applied: DynamoDBRecord[] = [];
    const problems: string[] = [];
    for (let b = 0; b < batches.length; b++) {
      await applyUntilDone(batches[b], settings, flaky);
      applied.push(...batches[b]);
      if (options.replays !== false && b > 0 && next() < 0.5) {
        // Lambda retries and re-deliveries: the same batch again, or an older one.
        const older = Math.floor(next() * (b + 1));
        if (options.gcDeletes) await new Promise((resolve) => setTimeout(resolve, 1100));
        if (options.closeOpen) await closeAndOpen(prefix);
        await applyUntilDone(batches[older], settings, flaky);
      }
      const actual = withoutVersions(await mirrorState(prefix));
      const expected = expectedMirror(applied);
      if (JSON.stringify(sorted(actual)) !== JSON.stringify(sorted(expected)))
        problems.push(`after batch ${b}: mirror ${JSON.stringify(sorted(actual))}, expected ${JSON.stringify(sorted(expected))}`);
    }
    const counts = await changeLogCounts(prefix);
    const wrong = records.filter((record) => counts.get(record.dynamodb!.SequenceNumber!) !== 1);
    expect({ problems, changeLogWrong: wrong.map((r) => r.dynamodb!.SequenceNumber) }).toEqual({ problems: [], changeLogWrong: [] });
  } finally {
    await tearDown(prefix);
  }
}

function sorted<T>(value: Record<string, T>): [string, T][] {
  return Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1));
}

describe('the ordering scheme on the real OpenSearch', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: in-order batches with re-deliveries and replays of older batches`, () => runScenario(`ord${seed}`, seed, {}));
  }
  it('40-digit sequence numbers', () => runScenario('ord40', 4, { digits: 40 }));
  it('sequence numbers growing from 21 to 40 digits, deletes forgotten at once', () =>
    runScenario('ordgrow', 12, { digits: 0, gcDeletes: '0s' }));
  it('deletes forgotten at once (gc_deletes 0s), older batches replayed', () => runScenario('ordgc', 5, { gcDeletes: '0s' }));
  for (const seed of [8, 9, 10]) {
    it(`seed ${seed}: one item's creation times run back by up to 3 s, deletes forgotten at once`, () =>
      runScenario(`ordback${seed}`, seed, { gcDeletes: '0s', backwards: 3 }));
  }
  for (const seed of [13, 14, 15, 16]) {
    it(`seed ${seed}: writes not done, or done with the answer lost, and reads failing; each batch retried until done`, () =>
      runScenario(`ordflaky${seed}`, seed, { faults: 0.3, gcDeletes: seed % 2 === 0 ? '0s' : undefined, backwards: 2 }));
  }
  it('deletes forgotten by closing and opening the index before each replay', () => runScenario('ordclose', 7, { closeOpen: true }));
  it('deletes forgotten at once (gc_deletes 0s), another history', () => runScenario('ordgc2', 6, { gcDeletes: '0s' }));
});

describe('across shards and clocks', () => {
  it('a shard split: the child shard re-inserts an item its parent deleted, with sequence numbers that do not compare with the parent', async () => {
    // docs/ordering.md: "Sequence numbers across shards need not compare, but they are compared
    // only when the versions collide". Here they are 10 minutes apart.
    const prefix = runPrefix('split');
    const settings = await setUp(prefix);
    try {
      const id = `${prefix}-a`;
      const parent = [
        insertRecord(item(id, 1), { sequenceNumber: '900000000000000000000000000001', at: 1_790_000_000 }),
        removeRecord(item(id, 1), { sequenceNumber: '900000000000000000000000000002', at: 1_790_000_100 }),
      ];
      // Beyond the skew window (5 minutes) after the parent's REMOVE.
      const child = [insertRecord(item(id, 3), { sequenceNumber: '100000000000000000000001', at: 1_790_000_700 })];
      await apply(parent, settings);
      await apply(child, settings);
      expect(withoutVersions(await mirrorState(prefix))).toEqual({ [id]: { n: '3', seq: '100000000000000000000001' } });
    } finally {
      await tearDown(prefix);
    }
  });

  it("a REMOVE whose creation time runs 1 s behind the item's INSERT, the delete forgotten, then the INSERT re-delivered", async () => {
    const prefix = runPrefix('back1');
    const settings = await setUp(prefix);
    try {
      await setGcDeletes(prefix, '0s');
      const id = `${prefix}-a`;
      const inserted = insertRecord(item(id, 1), { sequenceNumber: '000000000000000000001', at: 1_790_000_100 });
      await apply([inserted], settings);
      await apply([removeRecord(item(id, 1), { sequenceNumber: '000000000000000000002', at: 1_790_000_099 })], settings);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await apply([inserted], settings);
      expect(withoutVersions(await mirrorState(prefix))).toEqual({});
    } finally {
      await tearDown(prefix);
    }
  });

  it.each([
    ['gc_deletes 0s', 'gc'],
    ['the index closed and opened', 'close'],
  ])('a REMOVE whose delete the engine forgot (%s), then older changes of the item re-delivered', async (_case, how) => {
    const prefix = runPrefix(`forgot${how}`);
    const settings = await setUp(prefix);
    try {
      if (how === 'gc') await setGcDeletes(prefix, '0s');
      const id = `${prefix}-a`;
      const inserted = insertRecord(item(id, 1), { sequenceNumber: '000000000000000000001', at: 1_790_000_100 });
      const modified = modifyRecord(item(id, 1), item(id, 2), { sequenceNumber: '000000000000000000002', at: 1_790_000_100 });
      const removed = removeRecord(item(id, 2), { sequenceNumber: '000000000000000000003', at: 1_790_000_100 });
      await apply([inserted, modified], settings);
      await apply([removed], settings);
      if (how === 'gc') await new Promise((resolve) => setTimeout(resolve, 1500));
      else await closeAndOpen(prefix);
      await apply([modified], settings);
      await apply([inserted], settings);
      await apply([inserted, modified], settings);
      expect(withoutVersions(await mirrorState(prefix))).toEqual({});
    } finally {
      await tearDown(prefix);
    }
  });
});

describe('odd keys and large items, many changes of each in one second, in one batch and split', () => {
  it('ends with the newest of each item, the change log holding every change once', async () => {
    const prefix = runPrefix('odd');
    const settings = await setUp(prefix);
    try {
      const keys = [
        '__proto__',
        'constructor',
        `${prefix}|pipe\\back`,
        '\\sha256:looks-hashed',
        `ユニコード-🚀-${prefix}`,
        'k'.repeat(2048),
        `${prefix}-big-1`,
        `${prefix}-big-2`,
      ];
      const at = 1_790_000_500;
      const big = (id: string, n: number): AttributeMap => ({
        id: { S: id },
        n: { N: String(n) },
        blob: { S: `${n}`.padEnd(390_000, 'x') },
      });
      const records: DynamoDBRecord[] = [];
      let seq = 0;
      const next = () => String(++seq).padStart(21, '0');
      for (const id of keys) {
        records.push(insertRecord(big(id, 1), { sequenceNumber: next(), at }));
        records.push(modifyRecord(big(id, 1), big(id, 2), { sequenceNumber: next(), at }));
        records.push(removeRecord(big(id, 2), { sequenceNumber: next(), at }));
        records.push(insertRecord(big(id, 4), { sequenceNumber: next(), at }));
      }
      // Half in one batch; the other half split item by item, then the whole re-delivered.
      const half = records.length / 2;
      await apply(records.slice(0, half), settings);
      for (let i = half; i < records.length; i++) await apply([records[i]], settings);
      await apply(records, settings);
      const state = await mirrorState(prefix);
      expect(Object.values(state).map(({ n }) => n)).toEqual(keys.map(() => '4'));
      expect(Object.keys(state)).toHaveLength(keys.length);
      const counts = await changeLogCounts(prefix);
      expect(records.filter((record) => counts.get(record.dynamodb!.SequenceNumber!) !== 1)).toEqual([]);
    } finally {
      await tearDown(prefix);
    }
  });
});
