/**
 * `cdc prune`: the function's maintenance, run by hand: delete change-log partitions past the
 * retention (CHANGE_LOG_RETENTION_DAYS), create today's (if missing) and tomorrow's partitions
 * ahead, and purge tombstones past their retention (TOMBSTONE_RETENTION_HOURS), with the same code
 * and settings as the scheduled maintenance event. A run that could not do all its work prints
 * what it did and what failed, and exits 1.
 */
import type { Command } from 'commander';
import { MaintenanceFailure, runMaintenance, type MaintenanceReport } from '../../lambda/adapters/opensearch';
import { withDeployment, type GlobalOptions, searchClient } from '../deployment';

export function registerPrune(program: Command): void {
  program
    .command('prune')
    .description(
      "delete change-log partitions older than the function's retention and tombstones older than theirs, create tomorrow's partition ahead (what the scheduled maintenance does)",
    )
    .option('--dry-run', 'say what would be deleted or created, change nothing')
    .option('--json', 'the report as JSON, for scripts')
    .action(async (flags: { dryRun?: boolean; json?: boolean }, command: Command) => {
      await withDeployment(command.optsWithGlobals<GlobalOptions>(), async ({ deployment }) => {
        const search = await searchClient(deployment);
        try {
          let failure: MaintenanceFailure | undefined;
          const report = await runMaintenance(search, deployment.settings, { dryRun: flags.dryRun === true }).catch((error) => {
            if (!(error instanceof MaintenanceFailure)) throw error;
            failure = error;
            return error.report;
          });
          if (flags.json) console.log(JSON.stringify(report, null, 2));
          else for (const line of describe(report, deployment.settings.indexes.changeLog)) console.log(line);
          // Exits 1 with what could not be done.
          if (failure) throw failure;
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
  const ahead = report.dryRun ? partitions.missing : partitions.created;
  return [
    ...(report.dryRun ? ['dry run: nothing is deleted or created'] : []),
    ...(report.changeLog.warning ? [`~ ${report.changeLog.warning}`] : []),
    report.changeLog.partitioning !== 'daily'
      ? `change log ${changeLog}: one index, not partitioned: nothing to prune`
      : report.changeLog.retentionDays === 0
        ? `change log ${changeLog}: retention 0 (keep forever): ${partitions.kept} partition(s) kept`
        : `change log ${changeLog}: retention ${report.changeLog.retentionDays} day(s): ${verb} ${shown.length} partition(s)${shown.length > 0 ? ` (${shown.join(', ')})` : ''}, kept ${partitions.kept}`,
    ...(ahead.length > 0 ? [`change log ${changeLog}: ${report.dryRun ? 'would create' : 'created'} ${ahead.join(', ')} ahead`] : []),
    `tombstones older than ${tombstones.retentionHours} h (before ${tombstones.olderThan}): ${tombstones.expired}, ${verb} ${tombstones.purged}` +
      `${tombstones.finishedDeletes > 0 ? `, after finishing ${tombstones.finishedDeletes} half-done delete(s) in the mirror` : ''}` +
      `${tombstones.kept > 0 ? `, kept ${tombstones.kept} (replaced or written meanwhile; the next run takes them)` : ''}` +
      `${tombstones.failed > 0 ? `, ${tombstones.failed} failed (kept; the next run tries again)` : ''}`,
    ...tombstones.failures.map((failure) => `  could not delete ${failure.index}/${failure.id}: ${failure.reason}`),
    ...(tombstones.failed > tombstones.failures.length ? [`  … and ${tombstones.failed - tombstones.failures.length} more`] : []),
  ];
}
