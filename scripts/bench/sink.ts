/**
 * Scenario 1, sink throughput: the batch path (applyChanges through the OpenSearch adapter's
 * port, with the function's settings) against (a) the limit, the same final documents as `_bulk`
 * bodies built beforehand and sent raw, and (b) the naive peer, one request per document, in
 * sequence. Each run on fresh indexes of its own; the runs of a repeat alternate their order.
 */
import type { Client } from '@opensearch-project/opensearch';
import { actionLines } from '../../lambda/adapters/opensearch';
import type { RawStreamRecord, WriteAction } from '../../lambda/core';
import { applyChanges } from '../../lambda/pipeline';
import { FinalWrites } from './final-writes';
import { onFreshPipeline, storeSizes, type BenchPipeline } from './pipeline-indexes';
import { alternate, type BenchContext, type Scenario, type ScenarioReport } from './runner';
import { figure, pairedRatios, type Figure } from './stats';
import { batchesOf, runId, streamOf, StreamWriter, type Workload } from './workload';

const ITEM_BYTES = 1024;
const BATCH_SIZES = [100, 1000] as const;
const WORKLOADS: readonly Workload[] = ['insert', 'mix'];

interface SinkParameters {
  readonly records: number;
  readonly naiveRecords: number;
  readonly repeats: number;
}

// Records timed per run, beside one warm-up batch.
const FULL: SinkParameters = { records: 5_000, naiveRecords: 500, repeats: 5 };
const QUICK: SinkParameters = { records: 1_000, naiveRecords: 200, repeats: 3 };

export const sinkScenario: Scenario = {
  name: 'sink',
  title: 'Sink throughput: the batch path against raw _bulk and one request per document',
  async run(context) {
    const parameters = context.options.quick ? QUICK : FULL;
    const figures: Record<string, Figure> = {};
    for (const workload of WORKLOADS) Object.assign(figures, await measureWorkload(context, workload, parameters));
    return report(parameters, figures);
  },
};

/** Store sizes measured after a batch-path run of batches of 1,000, per repeat. */
type Sizes = Awaited<ReturnType<typeof storeSizes>>;

async function measureWorkload(context: BenchContext, workload: Workload, parameters: SinkParameters): Promise<Record<string, Figure>> {
  const { search, say } = context;
  const url = context.engines.endpoints.openSearch;
  const sizes: Sizes[] = [];
  const side =
    (name: string, run: (pipeline: BenchPipeline) => Promise<number>, routed = false) =>
    async (round: number) => {
      const rate = await onFreshPipeline(search, url, runId(`sink-${name}`), run, routed);
      say(`  sink ${workload} ${name} (repeat ${round + 1}/${parameters.repeats}): ${rate.toFixed(0)} records/s`);
      return rate;
    };
  const sides = {
    ...Object.fromEntries(
      BATCH_SIZES.flatMap((size) => [
        [
          `batch${size}`,
          side(`batch${size}`, (pipeline) =>
            batchPath(search, pipeline, workload, parameters.records, size, size === 1000 ? sizes : undefined),
          ),
        ],
        [`limit${size}`, side(`limit${size}`, (pipeline) => rawBulk(search, pipeline, workload, parameters.records, size))],
      ]),
    ),
    naive: side('naive', (pipeline) => oneRequestEach(search, pipeline, workload, parameters.naiveRecords)),
    routed1000: side('routed1000', (pipeline) => batchPath(search, pipeline, workload, parameters.records, 1000), true),
  } as Record<string, (round: number) => Promise<number>>;
  const rates = await alternate(parameters.repeats, sides);
  return workloadFigures(workload, rates, sizes);
}

function workloadFigures(workload: Workload, rates: Record<string, number[]>, sizes: readonly Sizes[]): Record<string, Figure> {
  const kind = workload === 'insert' ? 'INSERT' : 'mix';
  const figures: Record<string, Figure> = {};
  for (const size of BATCH_SIZES) {
    figures[`${workload}.batch${size}`] = figure(`${kind}, batch path, batches of ${size}`, 'records/s', rates[`batch${size}`]);
    figures[`${workload}.limit${size}`] = figure(`${kind}, raw _bulk (limit), batches of ${size}`, 'records/s', rates[`limit${size}`]);
  }
  figures[`${workload}.naive`] = figure(`${kind}, one request per document (naive)`, 'records/s', rates.naive);
  for (const size of BATCH_SIZES) {
    const batch = rates[`batch${size}`];
    figures[`${workload}.batch${size}/limit`] = figure(
      `${kind}, batch/limit, batches of ${size}`,
      'ratio',
      pairedRatios(batch, rates[`limit${size}`]),
    );
    figures[`${workload}.batch${size}/naive`] = figure(
      `${kind}, batch/naive, batches of ${size}`,
      'ratio',
      pairedRatios(batch, rates.naive),
    );
  }
  figures[`${workload}.routed1000`] = figure(
    `${kind}, routed path (three mirrors, a transform), batches of 1000`,
    'records/s',
    rates.routed1000,
  );
  figures[`${workload}.routed1000/batch1000`] = figure(
    `${kind}, routed/unrouted batch path, batches of 1000`,
    'ratio',
    pairedRatios(rates.routed1000, rates.batch1000),
  );
  const perDocument = (role: keyof Sizes) => sizes.map((size) => size[role].bytes / Math.max(1, size[role].documents));
  figures[`${workload}.changeLogBytes`] = figure(`${kind}, change log on disk per document (merged)`, 'bytes', perDocument('changeLog'));
  figures[`${workload}.mirrorBytes`] = figure(`${kind}, mirror on disk per document (merged)`, 'bytes', perDocument('mirror'));
  return figures;
}

function streamFor(pipeline: BenchPipeline, workload: Workload, records: number, batchSize: number): RawStreamRecord[] {
  // Blocks of a third of a batch: each batch brings about as many MODIFYs and REMOVEs as INSERTs.
  return streamOf(workload, records, new StreamWriter(pipeline.prefix, ITEM_BYTES), Math.ceil(batchSize / 3));
}

/** The batch path: each batch through applyChanges, one after another, as the event source hands them over on one shard. */
async function batchPath(
  search: Client,
  pipeline: BenchPipeline,
  workload: Workload,
  records: number,
  batchSize: number,
  sizes?: Sizes[],
): Promise<number> {
  const apply = async (batch: RawStreamRecord[]) => {
    const result = await applyChanges(batch, pipeline.settings, pipeline.port);
    const failed = result.failures[0] ?? result.deadLettered[0];
    if (failed) throw new Error(`the batch path did not write everything: ${JSON.stringify(failed)}`);
  };
  const [warmUp, ...batches] = batchesOf(streamFor(pipeline, workload, records + batchSize, batchSize), batchSize);
  await apply(warmUp);
  const started = performance.now();
  for (const batch of batches) await apply(batch);
  const rate = records / ((performance.now() - started) / 1000);
  if (sizes) sizes.push(await storeSizes(search, pipeline));
  return rate;
}

/** The limit: the same final documents, one `_bulk` body per batch, built before the clock starts. */
async function rawBulk(search: Client, pipeline: BenchPipeline, workload: Workload, records: number, batchSize: number): Promise<number> {
  const final = new FinalWrites(pipeline.settings);
  const [warmUp, ...bodies] = batchesOf(streamFor(pipeline, workload, records + batchSize, batchSize), batchSize).map((batch) =>
    final.ofBatch(batch).map(actionLines).join(''),
  );
  const write = async (body: string) => {
    const { body: answer } = await search.bulk({ body: body as never });
    if ((answer as { errors: boolean }).errors) throw new Error(`raw _bulk reported errors: ${JSON.stringify(firstError(answer))}`);
  };
  await write(warmUp);
  const started = performance.now();
  for (const body of bodies) await write(body);
  return records / ((performance.now() - started) / 1000);
}

/** The naive peer: the same documents, one PUT or DELETE each, each awaited before the next. */
async function oneRequestEach(search: Client, pipeline: BenchPipeline, workload: Workload, records: number): Promise<number> {
  const final = new FinalWrites(pipeline.settings);
  const writes: WriteAction[] = streamFor(pipeline, workload, records, 100).flatMap((record) => final.ofRecord(record));
  const started = performance.now();
  for (const write of writes) {
    const path = `/${encodeURIComponent(write.index)}/_doc/${encodeURIComponent(write.id)}`;
    if (write.operation === 'put') await search.transport.request({ method: 'PUT', path, body: write.document });
    else await search.transport.request({ method: 'DELETE', path });
  }
  return records / ((performance.now() - started) / 1000);
}

function firstError(answer: unknown): unknown {
  const items = (answer as { items: Record<string, { error?: unknown }>[] }).items;
  return items.map((item) => Object.values(item)[0]).find((item) => item.error !== undefined);
}

function report(parameters: SinkParameters, figures: Record<string, Figure>): ScenarioReport {
  return {
    parameters: { ...parameters, itemBytes: ITEM_BYTES, batchSizes: BATCH_SIZES, workloads: WORKLOADS },
    figures,
    notes: [
      `~${ITEM_BYTES} B items; ${parameters.records} records timed per run, after one batch of the same stream written untimed to warm the fresh indexes (their dynamic mappings, as a deployed pipeline's indexes have them) on the batch path, the limit and the routed path (the naive peer: ${parameters.naiveRecords}); ${parameters.repeats} repeats, each running every side once in a rotated order; ratios are taken repeat by repeat.`,
      "batch path: applyChanges with the OpenSearch adapter's port and the function's settings (AS_THE_FUNCTION_WRITES: no read before a stream change's write; daily change-log partitions, default MAX_BULK_BYTES); each batch awaited before the next.",
      'limit: the final documents of the batch path (change log; mirror documents, or tombstone and delete for a REMOVE), unconditional, one _bulk body per batch built before timing.',
      "routed: the batch path with three mirrors split by the items' kind, each shaped (exclude, rename, include, declared fields), one with a transform (scripts/bench/bench-routes.ts); ratio against the unrouted batch path of the same repeat.",
      'naive: the same documents, one PUT /_doc or DELETE per document, sequentially, built before timing (so the peer is measured at its best).',
      'mix: steps of INSERTs of new keys, MODIFYs of the keys inserted the step before, REMOVEs of those modified the step before that (a third each once under way).',
      'on disk per document: _stats primaries store size / docs of the batch path indexes (batches of 1,000) after a forcemerge to one segment.',
    ],
  };
}
