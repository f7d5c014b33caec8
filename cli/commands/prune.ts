/**
 * `cdc prune`: the function's maintenance, run by hand: delete change-log partitions past the
 * retention (CHANGE_LOG_RETENTION_DAYS) and purge tombstones past theirs (TOMBSTONE_RETENTION_HOURS),
 * with the same code and settings as the scheduled maintenance event.
 */
import type { Command } from 'commander';
import { runMaintenance, type MaintenanceReport } from '../../lambda/adapters/opensearch';
import { withDeployment, type GlobalOptions, searchClient } from '../deployment';

export function registerPrune(program: Command): void {
  program
    .command('prune')
    .description(
      "delete change-log partitions older than the function's retention and tombstones older than theirs (what the scheduled maintenance does)",
    )
    .option('--dry-run', 'say what would be deleted, delete nothing')
    .option('--json', 'the report as JSON, for scripts')
    .action(async (flags: { dryRun?: boolean; json?: boolean }, command: Command) => {
      await withDeployment(command.optsWithGlobals<GlobalOptions>(), async ({ deployment }) => {
        const search = await searchClient(deployment);
        try {
          const report = await runMaintenance(search, deployment.settings, { dryRun: flags.dryRun === true });
          if (flags.json) console.log(JSON.stringify(report, null, 2));
          else for (const line of describe(report, deployment.settings.indexes.changeLog)) console.log(line);
        } finally {
          await search.close();
        }
      });
    });
}

function describe(report: MaintenanceReport, changeLog: string): string[] {
  const verb = report.dryRun ? 'would delete' : 'deleted';
  const { partitions, tombstones } = report;
  const shown = report.dryRun ? partitions.expired : partitions.deleted;
  return [
    ...(report.dryRun ? ['dry run: nothing is deleted'] : []),
    ...(report.changeLog.warning ? [`~ ${report.changeLog.warning}`] : []),
    report.changeLog.partitioning !== 'daily'
      ? `change log ${changeLog}: one index, not partitioned: nothing to prune`
      : report.changeLog.retentionDays === 0
        ? `change log ${changeLog}: retention 0 (keep forever): ${partitions.kept} partition(s) kept`
        : `change log ${changeLog}: retention ${report.changeLog.retentionDays} day(s): ${verb} ${shown.length} partition(s)${shown.length > 0 ? ` (${shown.join(', ')})` : ''}, kept ${partitions.kept}`,
    `tombstones older than ${tombstones.retentionHours} h (before ${tombstones.olderThan}): ${tombstones.expired}, ${verb} ${tombstones.purged}` +
      `${tombstones.finishedDeletes > 0 ? `, after finishing ${tombstones.finishedDeletes} half-done delete(s) in the mirror` : ''}` +
      `${tombstones.kept > 0 ? `, kept ${tombstones.kept} (written meanwhile; the next run takes them)` : ''}`,
  ];
}
