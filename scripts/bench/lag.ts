/**
 * Scenario 2, end-to-end lag through the deployed stack: items put into the table at a steady
 * rate; for each, the time from its PutItem returning to its document being readable by id in
 * the mirror (`_mget`, real-time) and to its being found by a search (after a refresh). The
 * function's own time per batch (its `durationMs` log field) is reported beside the total: the
 * rest is the event source's delivery (stream poller, invocation) and, for search, the refresh.
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import type { Client } from '@opensearch-project/opensearch';
import { documentId } from '../../lambda/core';
import { DEFAULT_NAMES, mirrorBackingIndex } from '../../lambda/settings';
import { sdkClientConfig, sleep } from '../../local';
import { functionBatchesSince, logPosition, type FunctionBatch } from './function-log';
import type { BenchContext, Scenario, ScenarioReport, TableRow } from './runner';
import { figure, percentiles, type Figure } from './stats';
import { benchItem, KEY_SCHEMA, keyOf, runId } from './workload';

const RATES = [50, 150] as const;
const ITEM_BYTES = 1024;
/** Writes in flight at most: the emulator's PutItem takes a few ms, so a steady rate needs a few at once. */
const MAX_IN_FLIGHT = 32;
/** How often the watchers look: the lag's resolution, besides the look's own time. */
const POLL_MS = 20;
/** How long after the last write a write may still arrive before it counts as lost. */
const DRAIN_MS = 30_000;
const PERCENTILES = [50, 95, 99] as const;

const FULL = { seconds: 60 };
const QUICK = { seconds: 10 };

interface Write {
  readonly id: string;
  sentAt?: number;
  returnedAt?: number;
  readableAt?: number;
  searchableAt?: number;
}

export const lagScenario: Scenario = {
  name: 'lag',
  title: 'End-to-end lag through the deployed stack: write returned to readable by id, and to found by search',
  async run(context) {
    const parameters = context.options.quick ? QUICK : FULL;
    const emulator = context.engines.emulator.name;
    const mapping = await eventSourceMapping(context);
    const refreshInterval = await mirrorRefreshInterval(context.search);
    const figures: Record<string, Figure> = {};
    const rows: TableRow[] = [];
    for (const rate of RATES) {
      const run = await measureRate(context, rate, parameters.seconds);
      Object.assign(figures, rateFigures(emulator, rate, run));
      rows.push(rateRow(emulator, rate, run));
    }
    return report(context, parameters, figures, rows, mapping, refreshInterval);
  },
};

interface RateRun {
  readonly writes: readonly Write[];
  readonly seconds: number;
  readonly batches: readonly FunctionBatch[];
}

async function measureRate(context: BenchContext, rate: number, seconds: number): Promise<RateRun> {
  const run = runId(`lag${rate}`);
  const logFrom = logPosition(context.engines.emulatorLog);
  const startedAt = new Date();
  const dynamo = new DynamoDBClient(sdkClientConfig(context.engines.endpoints));
  const writes = Array.from({ length: rate * seconds }, (_, i): Write => ({ id: keyOf(run, i) }));
  const watching = { done: false };
  try {
    const watchers = [watchReadable(context.search, writes, watching), watchSearchable(context.search, writes, watching)];
    const writing = performance.now();
    await writeAtRate(dynamo, writes, rate);
    const wroteFor = (performance.now() - writing) / 1000;
    await untilSeenOrTimeout(writes, DRAIN_MS);
    watching.done = true;
    await Promise.all(watchers);
    await sleep(1500); // the function's last log lines
    const batches = await functionBatchesSince(context.engines, logFrom, startedAt);
    const seen = writes.filter((write) => write.readableAt !== undefined).length;
    context.say(
      `  lag at ${rate} writes/s: ${writes.length} writes in ${wroteFor.toFixed(1)} s, ${seen} readable, ${batches.length} batches logged`,
    );
    return { writes, seconds: wroteFor, batches };
  } finally {
    watching.done = true;
    dynamo.destroy();
  }
}

/** Puts item i at start + i/rate (a few in flight at once), stamping when each was sent and when it returned. */
async function writeAtRate(dynamo: DynamoDBClient, writes: Write[], rate: number): Promise<void> {
  const start = performance.now();
  let next = 0;
  const writer = async () => {
    while (next < writes.length) {
      const i = next++;
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const write = writes[i];
      write.sentAt = Date.now();
      await dynamo.send(new PutItemCommand({ TableName: DEFAULT_NAMES.tableName, Item: benchItem(write.id, i, ITEM_BYTES) as never }));
      write.returnedAt = Date.now();
    }
  };
  await Promise.all(Array.from({ length: MAX_IN_FLIGHT }, writer));
}

async function untilSeenOrTimeout(writes: readonly Write[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && writes.some((write) => write.readableAt === undefined || write.searchableAt === undefined))
    await sleep(100);
}

const mirrorIndex = () => mirrorBackingIndex(DEFAULT_NAMES.mirrorIndex);
const mirrorId = (write: Write) => documentId({ id: { S: write.id } }, KEY_SCHEMA);

/** Every POLL_MS, one `_mget` of the written ids not yet seen: real-time, so a document is readable as soon as the function's bulk returns. */
async function watchReadable(search: Client, writes: readonly Write[], watching: { done: boolean }): Promise<void> {
  await watch(watching, writes, 'readableAt', async (pending) => {
    const { body } = await search.mget({ index: mirrorIndex(), body: { ids: pending.map(mirrorId) }, _source: false } as never);
    const docs = (body as { docs: { _id: string; found?: boolean }[] }).docs;
    return new Set(docs.filter((doc) => doc.found).map((doc) => doc._id));
  });
}

/** Every POLL_MS, one search for the written ids not yet found: a document is found once a refresh has made it visible. */
async function watchSearchable(search: Client, writes: readonly Write[], watching: { done: boolean }): Promise<void> {
  await watch(watching, writes, 'searchableAt', async (pending) => {
    const ids = pending.map(mirrorId);
    const { body } = await search.search({
      index: DEFAULT_NAMES.mirrorIndex,
      body: { query: { ids: { values: ids } }, size: ids.length, _source: false },
    } as never);
    const hits = (body as { hits: { hits: { _id: string }[] } }).hits.hits;
    return new Set(hits.map((hit) => hit._id));
  });
}

async function watch(
  watching: { done: boolean },
  writes: readonly Write[],
  stamp: 'readableAt' | 'searchableAt',
  look: (pending: Write[]) => Promise<Set<string>>,
): Promise<void> {
  while (!watching.done) {
    const pending = writes.filter((write) => write.sentAt !== undefined && write[stamp] === undefined);
    if (pending.length > 0) {
      const found = await look(pending).catch(() => new Set<string>());
      const at = Date.now();
      for (const write of pending) if (found.has(mirrorId(write))) write[stamp] = at;
    }
    await sleep(POLL_MS);
  }
}

function lags(writes: readonly Write[], stamp: 'readableAt' | 'searchableAt'): number[] {
  return writes
    .filter((write) => write.returnedAt !== undefined && write[stamp] !== undefined)
    .map((write) => write[stamp]! - write.returnedAt!);
}

function rateFigures(emulator: string, rate: number, run: RateRun): Record<string, Figure> {
  const key = `${emulator}.${rate}`;
  const figures: Record<string, Figure> = {
    [`${key}.readable`]: figure(`${emulator}, ${rate} writes/s: write returned → readable by id`, 'ms', lags(run.writes, 'readableAt')),
    [`${key}.searchable`]: figure(
      `${emulator}, ${rate} writes/s: write returned → found by search`,
      'ms',
      lags(run.writes, 'searchableAt'),
    ),
    [`${key}.putItem`]: figure(`${emulator}, ${rate} writes/s: PutItem round trip`, 'ms', putTimes(run.writes)),
  };
  if (run.batches.length > 0) {
    figures[`${key}.functionMs`] = figure(
      `${emulator}, ${rate} writes/s: the function's duration per batch`,
      'ms',
      run.batches.map((batch) => batch.durationMs),
    );
    figures[`${key}.batchRecords`] = figure(
      `${emulator}, ${rate} writes/s: records per batch`,
      'records',
      run.batches.map((batch) => batch.records),
    );
  }
  return figures;
}

function putTimes(writes: readonly Write[]): number[] {
  return writes.filter((write) => write.returnedAt !== undefined).map((write) => write.returnedAt! - write.sentAt!);
}

/** One row of the lag table: the percentiles of both lags, the function's share and what is left to delivery. */
function rateRow(emulator: string, rate: number, run: RateRun): TableRow {
  const readable = lags(run.writes, 'readableAt');
  const searchable = lags(run.writes, 'searchableAt');
  const p = (values: number[]) => (values.length > 0 ? percentiles(values, PERCENTILES) : {});
  const byId = p(readable);
  const bySearch = p(searchable);
  const functionMs =
    run.batches.length > 0
      ? percentiles(
          run.batches.map((batch) => batch.durationMs),
          [50],
        ).p50
      : NaN;
  const max = (values: number[]) => (values.length > 0 ? Math.max(...values) : NaN);
  return {
    emulator,
    'writes/s asked': rate,
    'writes/s done': run.writes.length / run.seconds,
    lost: run.writes.length - readable.length,
    'id p50': byId.p50 ?? NaN,
    'id p95': byId.p95 ?? NaN,
    'id p99': byId.p99 ?? NaN,
    'id max': max(readable),
    'search p50': bySearch.p50 ?? NaN,
    'search p95': bySearch.p95 ?? NaN,
    'search p99': bySearch.p99 ?? NaN,
    'search max': max(searchable),
    'function p50 (ms/batch)': functionMs,
    'delivery ≈ id p50 − function p50': (byId.p50 ?? NaN) - functionMs,
  };
}

interface MappingFacts {
  readonly batchSize?: number;
  readonly batchingWindowSeconds?: number;
}

async function eventSourceMapping(context: BenchContext): Promise<MappingFacts> {
  const lambda = new LambdaClient(sdkClientConfig(context.engines.endpoints));
  try {
    const { EventSourceMappings = [] } = await lambda.send(
      new ListEventSourceMappingsCommand({ FunctionName: DEFAULT_NAMES.functionName }),
    );
    const mapping = EventSourceMappings[0];
    return { batchSize: mapping?.BatchSize, batchingWindowSeconds: mapping?.MaximumBatchingWindowInSeconds };
  } catch {
    return {};
  } finally {
    lambda.destroy();
  }
}

async function mirrorRefreshInterval(search: Client): Promise<string> {
  try {
    const { body } = await search.indices.getSettings({
      index: mirrorIndex(),
      include_defaults: true,
      name: 'index.refresh_interval',
    } as never);
    const settings = Object.values(body as Record<string, { settings?: unknown; defaults?: unknown }>)[0];
    const find = (from: unknown) => (from as { index?: { refresh_interval?: string } } | undefined)?.index?.refresh_interval;
    return find(settings?.settings) ?? find(settings?.defaults) ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function report(
  context: BenchContext,
  parameters: { seconds: number },
  figures: Record<string, Figure>,
  rows: TableRow[],
  mapping: MappingFacts,
  refreshInterval: string,
): ScenarioReport {
  const { emulator } = context.engines;
  const logged = rows.every((row) => Number.isFinite(row['function p50 (ms/batch)'] as number));
  return {
    parameters: {
      ...parameters,
      rates: RATES,
      itemBytes: ITEM_BYTES,
      pollMs: POLL_MS,
      maxInFlight: MAX_IN_FLIGHT,
      mapping,
      refreshInterval,
    },
    figures,
    tables: { [`lag on ${emulator.name} ${emulator.version} (ms)`]: rows },
    notes: [
      `${emulator.name} ${emulator.version}: PutItem of new ~${ITEM_BYTES} B items into ${DEFAULT_NAMES.tableName} at ${RATES.join(' and ')} writes/s for ${parameters.seconds} s each (up to ${MAX_IN_FLIGHT} in flight), through the deployed stream, event source mapping (batch size ${mapping.batchSize ?? '?'}, batching window ${mapping.batchingWindowSeconds ?? 0} s) and function.`,
      `readable by id: one _mget of the pending ids every ${POLL_MS} ms (real-time GET: no refresh needed); found by search: one ids query every ${POLL_MS} ms on the mirror alias (needs a refresh: refresh_interval ${refreshInterval}). Lag = first look that saw it − PutItem returned; resolution about ${POLL_MS} ms plus the look's own time.`,
      logged
        ? "function p50: the median of the function's own `durationMs` per batch (the 'batch applied' log line: from the event to its writes settled); the rest of the lag by id is the event source's delivery (stream poller and invocation)."
        : "the function's duration was not found in its log (the deployed function predates the durationMs log field, or its log is not readable): redeploy (npm run deploy:local) to see it.",
      'search − id: what the refresh adds (a document becomes searchable at the next refresh after its write).',
    ],
  };
}
