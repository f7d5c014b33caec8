/**
 * `cdc verify`: does the mirror hold exactly what the table holds? Missing, extra and different
 * items, the first few of each, and a verdict; exit status 0 only when they match. With
 * `--repair`, what differs is put right (see sync/repair.ts) and the mirror checked again.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Command } from 'commander';
import { MirrorReader, OpenSearchPort } from '../../lambda/adapters/opensearch';
import { sdkClientConfig, wholeNumberFlag, withDeployment, type GlobalOptions, searchClient } from '../deployment';
import { repair, type RepairResult } from '../sync';
import { verify, type VerifyReport, type VerifyResult } from '../verify';

const SHOWN = 5;

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('compare the table with the mirror: missing, extra and different items (numbers by value, every digit), and a verdict')
    .option('--sample <n>', 'check about n items picked at random instead of all (extras are then not looked for)')
    .option(
      '--repair',
      'put right what differs, safely beside the live stream (a newer change from the stream always wins), then check again',
    )
    .option('--json', 'the report as JSON, for scripts')
    .action(async (flags: { sample?: string; json?: boolean; repair?: boolean }, command: Command) => {
      await withDeployment(command.optsWithGlobals<GlobalOptions>(), async ({ access, deployment }) => {
        const sample = wholeNumberFlag('--sample', flags.sample);
        const dynamo = new DynamoDBClient(sdkClientConfig(access));
        const search = await searchClient(deployment);
        try {
          const mirror = new MirrorReader(search, deployment.settings.indexes.mirror);
          const check = () => verify({ dynamo, mirror, tableName: deployment.tableName, keySchema: deployment.settings.keySchema, sample });
          const found = await check();
          const show = (report: VerifyReport, afterRepair = false) => {
            if (!flags.json)
              for (const line of describe(report, deployment.tableName, deployment.settings.indexes.mirror, afterRepair)) console.log(line);
          };
          show(found.report);
          if (!flags.repair || found.report.matches) {
            if (flags.json) console.log(JSON.stringify(found.report, null, 2));
            process.exitCode = found.report.matches ? 0 : 1;
            return;
          }
          const repaired = await repair(differencesOf(found), {
            dynamo,
            port: new OpenSearchPort(search, deployment.settings.maxBulkBytes),
            mirror,
            tableName: deployment.tableName,
            settings: deployment.settings,
          });
          if (!flags.json) for (const line of describeRepair(repaired)) console.log(line);
          // A whole check again; after a sample, the items it found (another sample would check others).
          if (!flags.json) console.log(sample === undefined ? 'checking again:' : 'checking the repaired items again:');
          const only = sample === undefined ? undefined : [...found.keys.values()];
          const after = (await verify({ dynamo, mirror, tableName: deployment.tableName, keySchema: deployment.settings.keySchema, only }))
            .report;
          show(after, true);
          if (flags.json) console.log(JSON.stringify({ ...found.report, repair: repaired, afterRepair: after }, null, 2));
          process.exitCode = after.matches && repaired.failed.length === 0 ? 0 : 1;
        } finally {
          dynamo.destroy();
          await search.close();
        }
      });
    });
}

function differencesOf({ report, keys }: VerifyResult) {
  return [...report.missing, ...report.different, ...report.extra].map((id) => ({ id, key: keys.get(id) }));
}

function describeRepair(result: RepairResult): string[] {
  return [
    `repaired ${result.repaired}, skipped ${result.skipped} (already right, or changed by the stream meanwhile), failed ${result.failed.length}`,
    ...result.failed.slice(0, SHOWN).map((problem) => `  ! ${problem}`),
    ...(result.unreadable.length === 0
      ? []
      : [
          `  ~ ${result.unreadable.length} not repaired (${result.unreadable.slice(0, SHOWN).join(', ')}): the AWS SDK reads their attribute named __proto__ without its value; their next change through the stream puts them right`,
        ]),
  ];
}

function describe(report: VerifyReport, table: string, mirror: string, afterRepair: boolean): string[] {
  const list = (name: string, ids: string[]) =>
    ids.length === 0 ? [] : [`${name}: ${ids.length}  (${ids.slice(0, SHOWN).join(', ')}${ids.length > SHOWN ? ', …' : ''})`];
  return [
    `checked ${report.checked} item(s) of ${table}${report.sampled ? ' (a sample)' : ''} against ${mirror}${report.mirrorDocuments === undefined ? '' : ` (${report.mirrorDocuments} document(s))`}`,
    ...list('missing from the mirror', report.missing),
    ...list('in the mirror, not in the table', report.extra),
    ...list('different', report.different),
    ...list('compared without their attribute named __proto__ (the AWS SDK reads it without its value)', report.unreadable),
    ...list(
      'note, not a difference: mirrored exactly, with attributes kept unindexed (not searchable by them; read their _cdc.unindexed_reason)',
      report.keptUnindexed,
    ),
    report.matches
      ? `MATCH: the mirror holds exactly the table's items${report.sampled ? ' (in the sample)' : ''}`
      : afterRepair
        ? 'DIFFERENT after the repair: changes may still be in flight (run cdc verify again in a few seconds); what the repair could not put right is listed above with why'
        : 'DIFFERENT: changes may still be in flight (run again in a few seconds); otherwise cdc verify --repair puts it right (items from before the stream can also be copied with cdc backfill, refused ones re-applied with cdc redrive)',
  ];
}
