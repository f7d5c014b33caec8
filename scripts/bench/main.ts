/**
 * `npm run bench`: the pipeline's performance, measured on the local engines (used when they
 * answer on AWS_ENDPOINT_URL / OPENSEARCH_URL, else started and stopped again), printed as a table
 * and written to bench/results/latest.json with the machine, the engines, the parameters and the
 * commit. A command, not a test: it asserts nothing about the figures.
 *
 *   npm run bench [-- --quick] [-- --only sink,lag] [-- --emulator ministack|localstack] [-- --out file.json]
 *
 * What each scenario measures and how: docs/performance.md.
 */
import * as path from 'node:path';
import { Client } from '@opensearch-project/opensearch';
import { Command, Option } from 'commander';
import { endpointsFromEnv, PROJECT_ROOT } from '../../local';
import { emulatorName } from '../../local/engines';
import { backfillScenario } from './backfill';
import { costScenario } from './cost';
import { commit, machine } from './environment';
import { useOrStartEngines, type EmulatorName } from './engines';
import { functionScenario } from './function';
import { lagScenario } from './lag';
import {
  extraTables,
  figuresTable,
  SCENARIO_NAMES,
  writeResults,
  type BenchContext,
  type BenchOptions,
  type Scenario,
  type ScenarioName,
  type ScenarioReport,
} from './runner';
import { sinkScenario } from './sink';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** In the order they run: cost is computed from the others. */
const SCENARIOS: readonly Scenario[] = [sinkScenario, functionScenario, backfillScenario, lagScenario, costScenario];

function parseOptions(argv: readonly string[]): BenchOptions {
  const program = new Command('bench')
    .description('measure the pipeline on the local engines; prints a table and writes a results file')
    .option('--quick', 'fewer records, fewer repeats, shorter lag runs (a minute or two once the engines run)', false)
    .option('--only <scenarios>', `comma-separated, of ${SCENARIO_NAMES.join(', ')}`)
    .addOption(
      new Option(
        '--emulator <which>',
        'the AWS emulator to start when none answers, and to expect when one does (default: CDC_EMULATOR, else ministack)',
      ).choices(['ministack', 'localstack']),
    )
    .option('--out <file>', 'where to write the results', path.join(PROJECT_ROOT, 'bench', 'results', 'latest.json'))
    .parse(argv, { from: 'user' });
  const flags = program.opts<{ quick: boolean; only?: string; emulator?: EmulatorName; out: string }>();
  const only = (flags.only ?? SCENARIO_NAMES.join(',')).split(',').map((name) => name.trim());
  const unknown = only.filter((name) => !(SCENARIO_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) program.error(`--only: unknown scenario ${unknown.join(', ')} (scenarios: ${SCENARIO_NAMES.join(', ')})`);
  return {
    quick: flags.quick,
    only: only as ScenarioName[],
    emulator: flags.emulator ?? emulatorName(),
    out: path.resolve(flags.out),
  };
}

/** The scenarios asked for, with those they are computed from, in running order. */
function scenariosToRun(only: readonly ScenarioName[]): { run: Scenario[]; addedFor: string[] } {
  const wanted = new Set(only);
  const addedFor: string[] = [];
  for (const scenario of SCENARIOS.filter((candidate) => wanted.has(candidate.name))) {
    for (const need of scenario.needs ?? []) {
      if (!wanted.has(need)) addedFor.push(`${need} (for ${scenario.name})`);
      wanted.add(need);
    }
  }
  return { run: SCENARIOS.filter((scenario) => wanted.has(scenario.name)), addedFor };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const say = (line: string) => console.log(line);
  const startedAt = new Date();
  const machineAtStart = machine();
  const measured = commit();
  const { run, addedFor } = scenariosToRun(options.only);
  if (addedFor.length > 0) say(`also running ${addedFor.join(', ')}`);
  const engines = await useOrStartEngines({ endpoints: endpointsFromEnv(), emulator: options.emulator }, say);
  const search = new Client({ node: engines.endpoints.openSearch, requestTimeout: 120_000 });
  const reports: Partial<Record<ScenarioName, ScenarioReport>> = {};
  const context: BenchContext = { options, say, engines, search, reports };
  try {
    for (const scenario of run) {
      say(`\n== ${scenario.name}: ${scenario.title}`);
      const started = Date.now();
      reports[scenario.name] = await scenario.run(context);
      say(`== ${scenario.name} done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
  } finally {
    await search.close();
    await engines.stop();
  }
  const finishedAt = new Date();
  printReports(reports, say);
  writeResults(options.out, {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    seconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000),
    commit: measured,
    machine: { atStart: machineAtStart, atEnd: machine() },
    engines: {
      openSearch: { url: engines.endpoints.openSearch, ...engines.openSearch },
      emulator: { url: engines.endpoints.aws, ...engines.emulator, startedByTheBench: engines.startedHere },
    },
    parameters: { quick: options.quick, only: options.only, ran: run.map((scenario) => scenario.name), emulator: options.emulator },
    scenarios: reports,
  });
  say(`\nresults: ${path.relative(process.cwd(), options.out)}`);
}

function printReports(reports: Partial<Record<ScenarioName, ScenarioReport>>, say: (line: string) => void): void {
  say(`\n${figuresTable(reports)}`);
  for (const name of SCENARIO_NAMES) {
    const report = reports[name];
    if (!report) continue;
    for (const table of extraTables(report)) say(`\n${name}: ${table}`);
    say(`\n${name}:`);
    for (const note of report.notes) say(`  - ${note}`);
  }
}

main().catch((error) => {
  console.error(error instanceof Error && 'describe' in error ? (error as { describe: () => string }).describe() : error);
  process.exit(1);
});
