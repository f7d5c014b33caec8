/**
 * `cdc verify`: does the mirror hold exactly what the table holds? Missing, extra and different
 * items, the first few of each, and a verdict; exit status 0 only when they match. With
 * `--repair`, what differs is put right (see sync/repair.ts) and the mirror checked again. With
 * routing (`mirrors`), each mirror index is checked against the items that belong to it, in the
 * shape the routing gives them, and repaired alone; the report is one per index.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Command } from 'commander';
import { MirrorReader, OpenSearchPort, type SearchTransport } from '../../lambda/adapters/opensearch';
import type { PipelineSettings } from '../../lambda/pipeline';
import {
  routedSettings,
  sdkClientConfig,
  wholeNumberFlag,
  withDeployment,
  type Deployment,
  type GlobalOptions,
  searchClient,
} from '../deployment';
import { repair, repairTargets, type RepairResult } from '../sync';
import { routedChecks, verifyMirrors, wholeItem, type IndexVerifyResult, type VerifyResult } from '../verify';

const SHOWN = 5;

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description(
      'compare the table with the mirror (each mirror index with the items that belong to it): missing, extra and different items (numbers by value, every digit), and a verdict',
    )
    .option('--sample <n>', 'check about n items picked at random instead of all (extras are then not looked for)')
    .option(
      '--repair',
      'put right what differs, safely beside the live stream (a newer change from the stream always wins), then check again',
    )
    .option('--json', 'the report as JSON, for scripts')
    .action(async (flags: VerifyFlags, command: Command) => {
      await withDeployment(command.optsWithGlobals<GlobalOptions>(), async ({ access, deployment }) => {
        const dynamo = new DynamoDBClient(sdkClientConfig(access));
        const search = await searchClient(deployment);
        try {
          await runVerify(flags, { dynamo, search, deployment, settings: routedSettings(deployment.settings) });
        } finally {
          dynamo.destroy();
          await search.close();
        }
      });
    });
}

interface VerifyFlags {
  sample?: string;
  json?: boolean;
  repair?: boolean;
}

interface Context {
  readonly dynamo: DynamoDBClient;
  readonly search: SearchTransport;
  readonly deployment: Deployment;
  /** The deployment's settings, routing compiled. */
  readonly settings: PipelineSettings & Deployment['settings'];
}

/** Each mirror index checked; with --repair, what differs put right, index by index, and checked again. */
async function runVerify(flags: VerifyFlags, context: Context): Promise<void> {
  const { dynamo, deployment, settings } = context;
  const sample = wholeNumberFlag('--sample', flags.sample);
  const routing = settings.compiledRouting;
  const reader = (index: string) => new MirrorReader(context.search, index);
  const checks = routing
    ? routedChecks(routing, reader)
    : [{ index: settings.indexes.mirror, reader: reader(settings.indexes.mirror), expect: wholeItem }];
  const table = { dynamo, tableName: deployment.tableName, keySchema: settings.keySchema };
  const show = (results: readonly IndexVerifyResult[], afterRepair = false) => {
    if (!flags.json)
      for (const found of results) for (const line of describe(found, deployment.tableName, !!routing, afterRepair)) console.log(line);
  };
  const found = await verifyMirrors({ ...table, sample, mirrors: checks });
  show(found);
  const matches = (results: readonly IndexVerifyResult[]) => results.every(({ report }) => report.matches);
  if (!flags.repair || matches(found)) {
    if (flags.json) console.log(JSON.stringify(jsonReport(found, routing !== undefined), null, 2));
    process.exitCode = matches(found) ? 0 : 1;
    return;
  }
  const repaired = await repairIndexes(found, context, flags.json === true);
  // A whole check again; after a sample, the items it found (another sample would check others).
  if (!flags.json) console.log(sample === undefined ? 'checking again:' : 'checking the repaired items again:');
  const only = sample === undefined ? undefined : [...new Map(found.flatMap(({ keys }) => [...keys])).values()];
  const after = await verifyMirrors({ ...table, only, mirrors: checks });
  show(after, true);
  if (flags.json) console.log(JSON.stringify(jsonReport(found, routing !== undefined, repaired, after), null, 2));
  process.exitCode = matches(after) && repaired.every((result) => result.failed.length === 0) ? 0 : 1;
}

/** Each index's differences put right alone (see repairTargets), in the order of the results. */
async function repairIndexes(
  found: readonly IndexVerifyResult[],
  { dynamo, search, deployment, settings }: Context,
  json: boolean,
): Promise<RepairResult[]> {
  const targets = repairTargets(settings);
  const repaired: RepairResult[] = [];
  for (const [position, result] of found.entries()) {
    const differences = differencesOf(result);
    const outcome =
      differences.length === 0
        ? { repaired: 0, skipped: 0, failed: [], unreadable: [] }
        : await repair(differences, {
            dynamo,
            port: new OpenSearchPort(search, settings.maxBulkBytes),
            mirror: new MirrorReader(search, targets[position].index),
            tableName: deployment.tableName,
            settings: targets[position].settings,
          });
    if (differences.length > 0 && !json)
      for (const line of describeRepair(outcome, found.length > 1 ? result.index : undefined)) console.log(line);
    repaired.push(outcome);
  }
  return repaired;
}

/** One mirror: the report as before; several: one report per index. */
function jsonReport(found: readonly IndexVerifyResult[], routed: boolean, repaired?: RepairResult[], after?: readonly IndexVerifyResult[]) {
  const each = (position: number) => ({
    ...found[position].report,
    ...(repaired ? { repair: repaired[position], afterRepair: after![position].report } : {}),
  });
  if (!routed) return each(0);
  return { mirrors: found.map((result, position) => ({ index: result.index, ...each(position) })) };
}

function differencesOf({ report, keys }: VerifyResult) {
  return [...report.missing, ...report.different, ...report.extra].map((id) => ({ id, key: keys.get(id) }));
}

function describeRepair(result: RepairResult, index?: string): string[] {
  return [
    `${index === undefined ? '' : `${index}: `}repaired ${result.repaired}, skipped ${result.skipped} (already right, or changed by the stream meanwhile), failed ${result.failed.length}`,
    ...result.failed.slice(0, SHOWN).map((problem) => `  ! ${problem}`),
    ...(result.unreadable.length === 0
      ? []
      : [
          `  ~ ${result.unreadable.length} not repaired (${result.unreadable.slice(0, SHOWN).join(', ')}): the AWS SDK reads their attribute named __proto__ without its value; their next change through the stream puts them right`,
        ]),
  ];
}

function describe({ report, index }: IndexVerifyResult, table: string, routed: boolean, afterRepair: boolean): string[] {
  const list = (name: string, ids: string[]) =>
    ids.length === 0 ? [] : [`${name}: ${ids.length}  (${ids.slice(0, SHOWN).join(', ')}${ids.length > SHOWN ? ', …' : ''})`];
  const where = routed ? index : 'the mirror';
  return [
    `checked ${report.checked} item(s) of ${table}${report.sampled ? ' (a sample)' : ''} against ${index}${report.mirrorDocuments === undefined ? '' : ` (${report.mirrorDocuments} document(s))`}`,
    ...list(`missing from ${where}`, report.missing),
    ...list(routed ? `in ${index}, not in the table or not belonging there` : 'in the mirror, not in the table', report.extra),
    ...list('different', report.different),
    ...list(`not comparable: the transform of ${index} fails on them (the stream dead-letters them too)`, report.transformFailed ?? []),
    ...list('compared without their attribute named __proto__ (the AWS SDK reads it without its value)', report.unreadable),
    ...list(
      'note, not a difference: mirrored exactly, with attributes kept unindexed (not searchable by them; read their _cdc.unindexed_reason)',
      report.keptUnindexed,
    ),
    ...list(
      `note, not a difference: documents of deleted items ${index} keeps (it does not take REMOVE, or its transform kept them)`,
      report.archived ?? [],
    ),
    report.notCompared
      ? `NOT COMPARED: ${report.notCompared}`
      : report.matches
        ? routed
          ? `MATCH: ${index} holds exactly the items that belong to it${report.sampled ? ' (in the sample)' : ''}`
          : `MATCH: the mirror holds exactly the table's items${report.sampled ? ' (in the sample)' : ''}`
        : afterRepair
          ? 'DIFFERENT after the repair: changes may still be in flight (run cdc verify again in a few seconds); what the repair could not put right is listed above with why'
          : 'DIFFERENT: changes may still be in flight (run again in a few seconds); otherwise cdc verify --repair puts it right (items from before the stream can also be copied with cdc backfill, refused ones re-applied with cdc redrive)',
  ];
}
