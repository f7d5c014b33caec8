/**
 * Scenario 4, backfill: `cdc backfill`'s own backfill() (parallel Scan, pages through
 * applyChanges, a checkpoint after each page) against raw `_bulk` of the same mirror documents,
 * and its memory while it runs. The table is a double whose Scan pages generate the items in this
 * process: loading 200,000 items into an emulator is slow, and the Scan's cost is not what is
 * measured here.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Client } from '@opensearch-project/opensearch';
import { actionLines } from '../../lambda/adapters/opensearch';
import { backfill, newCheckpoint } from '../../cli/backfill';
import { snapshotRecord } from '../../cli/sync';
import { FinalWrites } from './final-writes';
import { profileMemory, type MemoryProfile } from './memory-sampler';
import { onFreshPipeline, type BenchPipeline } from './pipeline-indexes';
import { alternate, type BenchContext, type Scenario } from './runner';
import { figure, pairedRatios } from './stats';
import { benchItem, indexOfKey, KEY_SCHEMA, keyOf, runId } from './workload';

const ITEM_BYTES = 1024;
/** `cdc backfill`'s defaults for a table under 4 GB. */
const SEGMENTS = 4;
const PAGE_SIZE = 500;
const MB = 1024 * 1024;

const FULL = { items: 200_000, repeats: 2 };
const QUICK = { items: 10_000, repeats: 2 };

/** The Scan of a table of `items` generated items: item i is in segment i % segments, pages in order of i. */
export class GeneratedTable {
  constructor(
    private readonly run: string,
    private readonly items: number,
  ) {}

  async send(command: ScanCommand): Promise<{ Items: unknown[]; Count: number; LastEvaluatedKey?: Record<string, unknown> }> {
    const { Segment = 0, TotalSegments = 1, ExclusiveStartKey, Limit = 1000 } = command.input;
    const items = [];
    let next = ExclusiveStartKey ? indexOfKey((ExclusiveStartKey.id as { S: string }).S) + TotalSegments : Segment;
    for (; next < this.items && items.length < Limit; next += TotalSegments) items.push(this.item(next));
    const more = next < this.items;
    return { Items: items, Count: items.length, LastEvaluatedKey: more ? { id: items[items.length - 1].id } : undefined };
  }

  item(i: number) {
    return benchItem(keyOf(this.run, i), i, ITEM_BYTES);
  }

  /** Every page of every segment, as the Scan hands them over. */
  async *pages(segments: number, pageSize: number): AsyncGenerator<{ segment: number; items: ReturnType<GeneratedTable['item']>[] }> {
    for (let segment = 0; segment < segments; segment++) {
      let start: Record<string, unknown> | undefined;
      do {
        const page = await this.send({
          input: { Segment: segment, TotalSegments: segments, ExclusiveStartKey: start, Limit: pageSize },
        } as ScanCommand);
        yield { segment, items: page.Items as ReturnType<GeneratedTable['item']>[] };
        start = page.LastEvaluatedKey;
      } while (start);
    }
  }
}

export const backfillScenario: Scenario = {
  name: 'backfill',
  title: `Backfill: backfill() against raw _bulk of the same mirror documents, and its memory`,
  async run(context) {
    const parameters = context.options.quick ? QUICK : FULL;
    const memory: MemoryProfile[] = [];
    const rates = await alternate(parameters.repeats, {
      backfill: (round) =>
        timed(context, 'backfill()', round, parameters, (pipeline, run) => runBackfill(pipeline, run, parameters.items, memory)),
      raw: (round) =>
        timed(context, 'raw _bulk', round, parameters, (pipeline, run) => runRawBulk(context.search, pipeline, run, parameters.items)),
    });
    const mb = (pick: (profile: MemoryProfile) => number) => memory.map((profile) => pick(profile) / MB);
    return {
      parameters: { ...parameters, itemBytes: ITEM_BYTES, segments: SEGMENTS, pageSize: PAGE_SIZE },
      figures: {
        backfill: figure(`backfill() of ${parameters.items.toLocaleString('en-US')} items`, 'items/s', rates.backfill),
        raw: figure('raw _bulk of the same mirror documents (limit)', 'items/s', rates.raw),
        ratio: figure('backfill/raw', 'ratio', pairedRatios(rates.backfill, rates.raw)),
        peakRss: figure(
          'backfill: peak RSS of the process',
          'MB',
          mb((profile) => profile.peakRss),
        ),
        peakGrowth: figure(
          'backfill: peak RSS above the RSS before the run',
          'MB',
          mb((profile) => profile.peakRss - profile.baselineRss),
        ),
        heapFirstQuarter: figure(
          'backfill: heap used, mean of the first quarter',
          'MB',
          mb((profile) => profile.firstQuarterHeap),
        ),
        heapLastQuarter: figure(
          'backfill: heap used, mean of the last quarter',
          'MB',
          mb((profile) => profile.lastQuarterHeap),
        ),
        rssFirstQuarter: figure(
          'backfill: RSS, mean of the first quarter',
          'MB',
          mb((profile) => profile.firstQuarterRss),
        ),
        rssLastQuarter: figure(
          'backfill: RSS, mean of the last quarter',
          'MB',
          mb((profile) => profile.lastQuarterRss),
        ),
      },
      notes: [
        `the table is a DynamoDB client double: its Scan pages generate ~${ITEM_BYTES} B items in this process (the Scan's cost is not measured; loading ${parameters.items} items into an emulator would take longer than the bench).`,
        `backfill(): ${SEGMENTS} segments, pages of ${PAGE_SIZE} (cdc backfill's defaults for a small table), mirror only, a checkpoint file written after every page, on fresh indexes.`,
        `raw _bulk: the same mirror documents, unconditional, one body per page built before timing, ${SEGMENTS} segments sent side by side.`,
        'memory: sampled every 100 ms in the bench process during backfill() (RSS and heap used; a garbage collection first when node runs with --expose-gc, as npm run bench does); flat when the last quarter is about the first.',
      ],
    };
  },
};

async function timed(
  context: BenchContext,
  what: string,
  round: number,
  parameters: { items: number; repeats: number },
  action: (pipeline: BenchPipeline, run: string) => Promise<number>,
): Promise<number> {
  const run = runId('backfill');
  const rate = await onFreshPipeline(context.search, context.engines.endpoints.openSearch, run, (pipeline) => action(pipeline, run));
  context.say(`  ${what} (repeat ${round + 1}/${parameters.repeats}): ${rate.toFixed(0)} items/s`);
  return rate;
}

async function runBackfill(pipeline: BenchPipeline, run: string, items: number, memory: MemoryProfile[]): Promise<number> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-bench-'));
  const target = { table: 'bench-table', incarnation: {}, mirror: pipeline.settings.indexes.mirror, mirrorIndexes: [] };
  try {
    const started = performance.now();
    const { result, memory: profile } = await profileMemory(() =>
      backfill({
        dynamo: new GeneratedTable(run, items) as unknown as DynamoDBClient,
        port: pipeline.port,
        tableName: target.table,
        settings: { ...pipeline.settings, writeChangeLog: false },
        checkpoint: newCheckpoint(target, SEGMENTS),
        pageSize: PAGE_SIZE,
        checkpointFile: path.join(folder, 'checkpoint.json'),
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    if (!result.complete || result.counts.written !== items)
      throw new Error(`backfill() did not write every item: ${JSON.stringify(result)}`);
    memory.push(profile);
    return items / seconds;
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

async function runRawBulk(search: Client, pipeline: BenchPipeline, run: string, items: number): Promise<number> {
  const final = new FinalWrites({ ...pipeline.settings, writeChangeLog: false });
  const bodies: string[][] = Array.from({ length: SEGMENTS }, () => []);
  for await (const page of new GeneratedTable(run, items).pages(SEGMENTS, PAGE_SIZE)) {
    bodies[page.segment].push(
      final
        .ofBatch(page.items.map((item) => snapshotRecord(item, KEY_SCHEMA)))
        .map(actionLines)
        .join(''),
    );
  }
  const started = performance.now();
  await Promise.all(
    bodies.map(async (segment) => {
      for (const body of segment) {
        const { body: answer } = await search.bulk({ body: body as never });
        if ((answer as { errors: boolean }).errors) throw new Error('raw _bulk reported errors');
      }
    }),
  );
  return items / ((performance.now() - started) / 1000);
}
