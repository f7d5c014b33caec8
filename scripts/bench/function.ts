/**
 * Scenario 3, the function itself: the size of its bundle (built as the construct builds it), the
 * time a fresh Node process takes to load it, and the memory of a process that runs the handler
 * on batches of 1,000 records of 4 KB against the real OpenSearch.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { PROJECT_ROOT } from '../../local';
import { FUNCTION_MEMORY_MB } from './lambda-billing';
import { functionEnvironment, removePipeline } from './pipeline-indexes';
import type { BenchContext, Scenario, Say } from './runner';
import { figure, type Figure } from './stats';
import { runId, StreamWriter } from './workload';

const BUNDLE = path.join(PROJECT_ROOT, 'dist', 'handler-bundle', 'index.js');
/** What the bundle is built from: newer than the bundle, it is built again. */
const BUNDLE_SOURCES = ['lambda', 'lib/handler-code.ts', 'scripts/build.js', 'package-lock.json'];
const RECORDS = 1000;
const RECORD_BYTES = 4096;

const FULL = { loads: 15, runs: 5 };
const QUICK = { loads: 5, runs: 2 };

export const functionScenario: Scenario = {
  name: 'function',
  title: 'The function: bundle size, cold load time, memory on a batch of 1,000 records of 4 KB',
  async run(context) {
    const parameters = context.options.quick ? QUICK : FULL;
    const built = ensureBundle(context.say);
    const bytes = fs.readFileSync(BUNDLE);
    const loads = Array.from({ length: parameters.loads }, () => loadTime());
    const runs: HandlerRun[] = [];
    for (let run = 0; run < parameters.runs; run++) runs.push(await handlerRun(context, run, parameters.runs));
    const figures: Record<string, Figure> = {
      bundleBytes: figure('bundle size (index.js, minified)', 'bytes', [bytes.length]),
      bundleGzipBytes: figure('bundle size, gzipped', 'bytes', [gzipSync(bytes).length]),
      coldLoad: figure('cold load of the bundle in a fresh process (require)', 'ms', loads),
      maxRssLoaded: figure(
        'memory after loading the bundle (maxRSS)',
        'MB',
        runs.map((run) => run.loadedKb / 1024),
      ),
      maxRss: figure(
        `peak memory, handler on 2 batches of ${RECORDS} × 4 KB (maxRSS)`,
        'MB',
        runs.map((run) => run.peakKb / 1024),
      ),
      firstBatch: figure(
        `first batch of ${RECORDS} × 4 KB (index set-up included)`,
        'ms',
        runs.map((run) => run.firstMs),
      ),
      warmBatch: figure(
        `warm batch of ${RECORDS} × 4 KB`,
        'ms',
        runs.map((run) => run.warmMs),
      ),
    };
    return {
      parameters: {
        ...parameters,
        records: RECORDS,
        recordBytes: RECORD_BYTES,
        bundle: path.relative(PROJECT_ROOT, BUNDLE),
        builtNow: built,
      },
      figures,
      notes: [
        `bundle: dist/handler-bundle/index.js as npm run build makes it (esbuild with the construct's HANDLER_BUNDLING: everything inside, minified, CJS, node20), ${built ? 'built for this run' : 'up to date with the sources, reused'}; the source map beside it is not counted.`,
        `cold load: ${parameters.loads} fresh \`node\` processes, each timing require(bundle) with process.hrtime inside the process (Node startup not included).`,
        `memory: ${parameters.runs} fresh processes, each loading the bundle and running the handler on a batch of ${RECORDS} INSERTs of ~4 KB (first batch: index set-up included) then on another (warm), against the real OpenSearch, on fresh indexes; peak = process.resourceUsage().maxRSS, to compare with the ${FUNCTION_MEMORY_MB} MB the function is given.`,
      ],
    };
  },
};

/** Builds the bundle (npm run build) when it is missing or older than its sources; says whether it built. */
function ensureBundle(say: Say): boolean {
  const builtAt = fs.existsSync(BUNDLE) ? fs.statSync(BUNDLE).mtimeMs : 0;
  if (BUNDLE_SOURCES.every((source) => newestChange(path.join(PROJECT_ROOT, source)) < builtAt)) return false;
  say('  building the function bundle (npm run build)…');
  const result = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'scripts', 'build.js')], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`npm run build failed:\n${result.stdout}${result.stderr}`);
  return true;
}

function newestChange(file: string): number {
  const stat = fs.statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...fs.readdirSync(file).map((name) => newestChange(path.join(file, name))));
}

/** Marks the child's one line of results among the function's own log lines. */
const MARK = '@@bench ';

function runChild(code: string, env: NodeJS.ProcessEnv = {}): Record<string, number> {
  const result = spawnSync(process.execPath, ['-e', code], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = result.stdout.split('\n').find((candidate) => candidate.startsWith(MARK));
  if (result.status !== 0 || line === undefined)
    throw new Error(`the measuring process failed (exit ${result.status}):\n${result.stderr.slice(-2000)}`);
  return JSON.parse(line.slice(MARK.length)) as Record<string, number>;
}

function loadTime(): number {
  const code = `const t = process.hrtime.bigint(); require(${JSON.stringify(BUNDLE)}); const ms = Number(process.hrtime.bigint() - t) / 1e6; console.log(${JSON.stringify(MARK)} + JSON.stringify({ ms }));`;
  return runChild(code).ms;
}

interface HandlerRun {
  readonly loadedKb: number;
  readonly peakKb: number;
  readonly firstMs: number;
  readonly warmMs: number;
}

async function handlerRun(context: BenchContext, run: number, runs: number): Promise<HandlerRun> {
  const prefix = runId('function');
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-bench-'));
  try {
    const writer = new StreamWriter(prefix, RECORD_BYTES);
    const events = [0, 1].map((batch) => {
      const file = path.join(folder, `event-${batch}.json`);
      const records = Array.from({ length: RECORDS }, (_, i) => writer.record('INSERT', batch * RECORDS + i));
      fs.writeFileSync(file, JSON.stringify({ Records: records }));
      return file;
    });
    const env = { ...functionEnvironment(context.engines.endpoints.openSearch, prefix), AWS_REGION: 'us-east-1' };
    const measured = runChild(handlerCode(events), env);
    context.say(
      `  function run ${run + 1}/${runs}: peak ${(measured.peakKb / 1024).toFixed(0)} MB, first batch ${measured.firstMs.toFixed(0)} ms, warm ${measured.warmMs.toFixed(0)} ms`,
    );
    return measured as unknown as HandlerRun;
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
    await removePipeline(context.search, prefix);
  }
}

/** The child: loads the bundle, then runs the handler on each event file (each read just before its run, as Lambda hands over a parsed event). */
function handlerCode(events: readonly string[]): string {
  return `
const fs = require('node:fs');
const { handler } = require(${JSON.stringify(BUNDLE)});
const loadedKb = process.resourceUsage().maxRSS;
(async () => {
  const ms = [];
  for (const file of ${JSON.stringify(events)}) {
    const event = JSON.parse(fs.readFileSync(file, 'utf8'));
    const t = process.hrtime.bigint();
    const response = await handler(event);
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (response.batchItemFailures.length > 0) throw new Error('records failed: ' + JSON.stringify(response.batchItemFailures[0]));
  }
  console.log(${JSON.stringify(MARK)} + JSON.stringify({ loadedKb, peakKb: process.resourceUsage().maxRSS, firstMs: ms[0], warmMs: ms[1] }));
})().catch((error) => { console.error(error); process.exit(1); });
`;
}
