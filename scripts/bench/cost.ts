/**
 * Scenario 5, cost per million changes, computed from the other scenarios' figures (nothing is
 * measured here): Lambda GB-seconds and requests at the measured batch durations and sizes, and
 * the bytes OpenSearch keeps per change (change log and mirror, merged on disk).
 */
import { FUNCTION_MEMORY_MB, lambdaCostPerMillion, storagePerMillion } from './lambda-billing';
import type { BenchContext, Scenario, ScenarioName, ScenarioReport, TableRow } from './runner';
import type { Figure } from './stats';

/** A batch size and the time one batch takes, and where they were measured. */
interface Basis {
  readonly measured: string;
  readonly batchSize: number;
  readonly batchMs: number;
}

export const costScenario: Scenario = {
  name: 'cost',
  title: 'Cost per million changes: Lambda at the measured durations, OpenSearch bytes per change',
  needs: ['sink', 'function'],
  async run(context) {
    const lambdaRows = lambdaBases(context).map(lambdaRow);
    const storageRows = storageBases(context);
    return {
      parameters: { functionMemoryMb: FUNCTION_MEMORY_MB },
      figures: {},
      tables: { 'Lambda per million changes (US$, x86, us-east-1 list prices)': lambdaRows, 'OpenSearch per million changes': storageRows },
      notes: [
        `Lambda: ${FUNCTION_MEMORY_MB} MB (the construct's default), duration rounded up to the ms per invocation, one invocation per batch; list prices in scripts/bench/lambda-billing.ts. Free tier ignored.`,
        'sink rows: the batch path in the bench process (the function runs the same code), a batch taking batch size / median records/s; function row: the bundle in a fresh process, warm batch; lag rows: the deployed function, its median logged duration and median batch size.',
        'OpenSearch: primary store size per document after a merge to one segment (replicas multiply it); the mirror holds one document per item, so its bytes per change apply to changes that add an item (an INSERT-only stream); the change log keeps one document per change.',
      ],
    } satisfies ScenarioReport;
  },
};

function medianOf(context: BenchContext, scenario: ScenarioName, key: string): number | undefined {
  const found: Figure | undefined = context.reports[scenario]?.figures[key];
  return found?.median;
}

function lambdaBases(context: BenchContext): Basis[] {
  const bases: Basis[] = [];
  for (const workload of ['insert', 'mix']) {
    for (const size of [100, 1000]) {
      const rate = medianOf(context, 'sink', `${workload}.batch${size}`);
      if (rate) bases.push({ measured: `sink, ${workload}, batch path, 1 KB items`, batchSize: size, batchMs: (size / rate) * 1000 });
    }
  }
  const warm = medianOf(context, 'function', 'warmBatch');
  if (warm) bases.push({ measured: 'function bundle, warm batch of 4 KB items', batchSize: 1000, batchMs: warm });
  for (const key of Object.keys(context.reports.lag?.figures ?? {}).filter((name) => name.endsWith('.functionMs'))) {
    const prefix = key.slice(0, -'.functionMs'.length);
    const batchMs = medianOf(context, 'lag', key);
    const batchSize = medianOf(context, 'lag', `${prefix}.batchRecords`);
    const [emulator, rate] = prefix.split('.');
    if (batchMs && batchSize) bases.push({ measured: `deployed on ${emulator}, ${rate} writes/s, 1 KB items`, batchSize, batchMs });
  }
  return bases;
}

function lambdaRow(basis: Basis): TableRow {
  const cost = lambdaCostPerMillion(basis.batchSize, basis.batchMs);
  return {
    measured: basis.measured,
    'records/batch': basis.batchSize,
    'ms/batch': basis.batchMs,
    invocations: cost.invocations,
    'GB-s': cost.gbSeconds,
    'compute $': cost.compute,
    'requests $': cost.requests,
    'total $': cost.compute + cost.requests,
  };
}

function storageBases(context: BenchContext): TableRow[] {
  const rows: TableRow[] = [];
  for (const workload of ['insert', 'mix']) {
    const changeLog = medianOf(context, 'sink', `${workload}.changeLogBytes`);
    const mirror = medianOf(context, 'sink', `${workload}.mirrorBytes`);
    if (changeLog === undefined || mirror === undefined) continue;
    rows.push({
      workload: workload === 'insert' ? 'INSERT-only, 1 KB items' : 'mix, 1 KB items',
      'change log B/change': changeLog,
      'mirror B/item': mirror,
      'change log GB': storagePerMillion(changeLog),
      'mirror GB (a new item each)': storagePerMillion(mirror),
    });
  }
  return rows;
}
