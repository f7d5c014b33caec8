/**
 * `cdc verify`: does the mirror hold exactly what the table holds? Missing, extra and different
 * items, the first few of each, and a verdict; exit status 0 only when they match.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Command } from 'commander';
import { MirrorReader } from '../../lambda/adapters/opensearch';
import { sdkClientConfig } from '../target/aws-access';
import { withTarget, type GlobalOptions } from '../target/options';
import { verify, type VerifyReport } from '../verify/verify';
import { searchClient } from '../target/search-client';

const SHOWN = 5;

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('compare the table with the mirror: missing, extra and different items (numbers by value, every digit), and a verdict')
    .option('--sample <n>', 'check about n items picked at random instead of all (extras are then not looked for)')
    .option('--json', 'the report as JSON, for scripts')
    .action(async (flags: { sample?: string; json?: boolean }, command: Command) => {
      await withTarget(command.optsWithGlobals<GlobalOptions>(), async ({ access, target }) => {
        const sample = flags.sample === undefined ? undefined : Number(flags.sample);
        if (sample !== undefined && (!Number.isInteger(sample) || sample < 1)) throw new Error(`--sample must be a whole number from 1, got "${flags.sample}"`);
        const dynamo = new DynamoDBClient(sdkClientConfig(access));
        const search = await searchClient(target);
        try {
          const report = await verify({ dynamo, mirror: new MirrorReader(search, target.settings.indexes.mirror), tableName: target.tableName, keySchema: target.settings.keySchema, sample });
          if (flags.json) console.log(JSON.stringify(report, null, 2));
          else for (const line of describe(report, target.tableName, target.settings.indexes.mirror)) console.log(line);
          process.exitCode = report.matches ? 0 : 1;
        } finally {
          dynamo.destroy();
          await search.close();
        }
      });
    });
}

function describe(report: VerifyReport, table: string, mirror: string): string[] {
  const list = (name: string, ids: string[]) =>
    ids.length === 0 ? [] : [`${name}: ${ids.length}  (${ids.slice(0, SHOWN).join(', ')}${ids.length > SHOWN ? ', …' : ''})`];
  return [
    `checked ${report.checked} item(s) of ${table}${report.sampled ? ' (a random sample)' : ''} against ${mirror}${report.mirrorDocuments === undefined ? '' : ` (${report.mirrorDocuments} document(s))`}`,
    ...list('missing from the mirror', report.missing),
    ...list('in the mirror, not in the table', report.extra),
    ...list('different', report.different),
    ...list('not compared (the AWS SDK reads an attribute named __proto__ without its value)', report.unreadable),
    report.matches
      ? `MATCH: the mirror holds exactly the table's items${report.sampled ? ' (in the sample)' : ''}`
      : 'DIFFERENT: changes may still be in flight (run again in a few seconds); otherwise items from before the stream need cdc backfill, and refused ones cdc redrive',
  ];
}
