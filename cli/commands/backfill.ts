/**
 * `cdc backfill`: copies every item already in the table into the mirror (see backfill/ for the
 * rule that makes it safe beside the live stream), resumable from a checkpoint file.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { ensureIndexes, OpenSearchPort } from '../../lambda/adapters/opensearch';
import { backfill, loadCheckpoint, type BackfillCounts } from '../backfill';
import { sdkClientConfig, withDeployment, type GlobalOptions, searchClient } from '../deployment';
import { countItems, describeItems, tableKeyTypes } from '../table';

interface BackfillFlags {
  segments?: string;
  pageSize: string;
  changeLog?: boolean;
  checkpoint?: string;
  restart?: boolean;
  json?: boolean;
}

export function registerBackfill(program: Command): void {
  program
    .command('backfill')
    .description('copy every item already in the table into the mirror, safely beside the live stream; resumable after Ctrl-C or a kill')
    .option('--segments <n>', 'parallel Scan segments (default: 1 per GB of table, at least 4, at most 32)')
    .option('--page-size <n>', 'items per Scan page (and per bulk write)', '500')
    .option('--change-log', 'also write one SNAPSHOT document per item to the change log (never an INSERT)')
    .option('--checkpoint <file>', 'where progress is kept (default: .cdc/backfill-<table>.json)')
    .option('--restart', 'ignore an existing checkpoint and start from the beginning')
    .option('--json', 'print the summary as JSON')
    .action(async (flags: BackfillFlags, command: Command) => {
      await withDeployment(command.optsWithGlobals<GlobalOptions>(), async ({ access, deployment }) => {
        const dynamo = new DynamoDBClient(sdkClientConfig(access));
        const search = await searchClient(deployment);
        const checkpointFile = flags.checkpoint ?? `.cdc/backfill-${deployment.tableName}.json`;
        let stopping = false;
        const stop = () => {
          if (stopping) process.exit(130);
          stopping = true;
          console.error('\nstopping after the pages in flight; run the same command again to resume');
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
        try {
          await tableKeyTypes(dynamo, deployment.tableName, deployment.settings.keySchema);
          const { total, segments } = await tableSize(dynamo, deployment.tableName, access.local, flags.segments);
          const resumeFrom = flags.restart
            ? undefined
            : loadCheckpoint(checkpointFile, { table: deployment.tableName, mirror: deployment.settings.indexes.mirror, segments });
          const layout = await ensureIndexes(search, deployment.settings);
          if (layout.warning) console.error(`  ~ ${layout.warning}`);
          if (!flags.json) {
            console.error(
              `backfill ${deployment.tableName} → ${deployment.settings.indexes.mirror}: ~${total} item(s), ${segments} segment(s)${resumeFrom ? `, resuming (${resumeFrom.counts.read} read before)` : ''}; checkpoint ${checkpointFile}`,
            );
          }
          const progress = progressReporter(total, resumeFrom?.counts.read ?? 0, !flags.json);
          const started = Date.now();
          const result = await backfill({
            dynamo,
            port: new OpenSearchPort(search, deployment.settings.maxBulkBytes),
            tableName: deployment.tableName,
            settings: { ...deployment.settings, changeLogPartitioning: layout.partitioning, writeChangeLog: flags.changeLog === true },
            segments,
            pageSize: Number(flags.pageSize),
            checkpointFile,
            resumeFrom,
            onPage: progress.update,
            stopped: () => stopping,
          });
          progress.stop();
          const seconds = (Date.now() - started) / 1000;
          const summary = {
            ...result.counts,
            complete: result.complete,
            seconds: Math.round(seconds * 10) / 10,
            checkpoint: checkpointFile,
            problems: result.problems,
            unreadableKeys: result.unreadable.slice(0, 20),
          };
          if (flags.json) console.log(JSON.stringify(summary, null, 2));
          else {
            const { read, written, skipped, failed } = result.counts;
            console.log(
              `read ${read}, written ${written}, skipped ${skipped} (the mirror already had them, newer or deleted), failed ${failed}${result.complete ? '' : ' — not complete: run again to resume'}`,
            );
            for (const problem of result.problems) console.error(`  ! ${problem}`);
            if (result.unreadable.length > 0) {
              console.error(
                `  ~ ${result.unreadable.length} item(s) left to the stream: the AWS SDK reads an attribute named __proto__ without its value (${result.unreadable.slice(0, 5).join(', ')})`,
              );
            }
          }
          process.exitCode = result.complete ? 0 : stopping ? 130 : 1;
        } finally {
          dynamo.destroy();
          await search.close();
        }
      });
    });
}

/** The table's approximate size, and the segments for it (flag, or 1 per GB, 4 to 32). */
async function tableSize(
  dynamo: DynamoDBClient,
  tableName: string,
  local: boolean,
  flag: string | undefined,
): Promise<{ total: number; segments: number }> {
  const described = await describeItems(dynamo, tableName);
  // Emulators may not keep ItemCount: count (cheap there) for a useful progress bar.
  const total = local && !described.items ? await countItems(dynamo, tableName) : (described.items ?? 0);
  const segments = flag ? Number(flag) : Math.min(32, Math.max(4, Math.ceil((described.bytes ?? 0) / 1e9)));
  if (!Number.isInteger(segments) || segments < 1 || segments > 1_000_000)
    throw new Error(`--segments must be a whole number from 1, got "${flag}"`);
  return { total, segments };
}

/** A progress bar with items/s and ETA on a terminal; a plain line every 5 s otherwise. */
function progressReporter(
  total: number,
  alreadyRead: number,
  visible: boolean,
): { update: (counts: BackfillCounts) => void; stop: () => void } {
  if (!visible) return { update: () => undefined, stop: () => undefined };
  const started = Date.now();
  const rate = (read: number) => ((read - alreadyRead) / Math.max((Date.now() - started) / 1000, 0.001)).toFixed(0);
  if (process.stderr.isTTY && !process.env.CI) {
    const bar = new SingleBar({
      format: 'backfill [{bar}] {percentage}% | {value}/{total} items | {speed} items/s | ETA {eta_formatted}',
      stream: process.stderr,
      etaBuffer: 50,
    });
    bar.start(Math.max(total, alreadyRead), alreadyRead, { speed: '0' });
    return {
      update: (counts) => {
        if (counts.read > bar.getTotal()) bar.setTotal(counts.read);
        bar.update(counts.read, { speed: rate(counts.read) });
      },
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  return {
    update: (counts) => {
      if (Date.now() - last < 5000) return;
      last = Date.now();
      console.error(
        `backfill: ${counts.read}/${total} read, ${counts.written} written, ${counts.skipped} skipped, ${counts.failed} failed, ${rate(counts.read)} items/s`,
      );
    },
    stop: () => undefined,
  };
}
