/**
 * `cdc backfill`: copies every item already in the table into the mirror (see backfill/ for the
 * rule that makes it safe beside the live stream). An interrupted backfill resumes from its
 * checkpoint file; a finished one is never resumed, so running it again copies the table again.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { mirrorAliases } from '../../lambda/settings';
import { ensureIndexes, OpenSearchPort, type ChangeLogLayout, type SearchTransport } from '../../lambda/adapters/opensearch';
import {
  backfill,
  lockCheckpoint,
  MAX_PARALLEL_SEGMENTS,
  MAX_SEGMENTS,
  readBackfillTarget,
  readCheckpoint,
  startPoint,
  type BackfillCounts,
  type BackfillResult,
  type StartPoint,
} from '../backfill';
import {
  sdkClientConfig,
  routedSettings,
  wholeNumberFlag,
  withDeployment,
  type AwsAccess,
  type Deployment,
  type GlobalOptions,
  searchClient,
} from '../deployment';
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
    .description(
      'copy every item already in the table into the mirror, safely beside the live stream; an interrupted run (Ctrl-C, a kill) resumes, a finished one starts over',
    )
    .option(
      '--segments <n>',
      `Scan segments (default: 1 per GB of table, at least 4, at most 32; up to ${MAX_SEGMENTS}, ${MAX_PARALLEL_SEGMENTS} scanned at once; a resumed run keeps its own)`,
    )
    .option('--page-size <n>', 'items per Scan page (and per bulk write)', '500')
    .option('--change-log', 'also write one SNAPSHOT document per item to the change log (never an INSERT)')
    .option('--checkpoint <file>', 'where progress is kept (default: .cdc/backfill-<table>.json)')
    .option('--restart', "ignore an interrupted backfill's checkpoint and start from the beginning")
    .option('--json', 'print the summary as JSON')
    .action(async (flags: BackfillFlags, command: Command) => {
      await withDeployment(command.optsWithGlobals<GlobalOptions>(), async ({ access, deployment }) => {
        const dynamo = new DynamoDBClient(sdkClientConfig(access));
        const search = await searchClient(deployment);
        try {
          await runBackfill(flags, { dynamo, search, access, deployment });
        } finally {
          dynamo.destroy();
          await search.close();
        }
      });
    });
}

interface Context {
  readonly dynamo: DynamoDBClient;
  readonly search: SearchTransport;
  readonly access: AwsAccess;
  readonly deployment: Deployment;
}

/** One run per checkpoint at a time (its lock), then the backfill. */
async function runBackfill(flags: BackfillFlags, context: Context): Promise<void> {
  const checkpointFile = flags.checkpoint ?? `.cdc/backfill-${context.deployment.tableName}.json`;
  const release = lockCheckpoint(checkpointFile);
  try {
    await copyTable(flags, context, checkpointFile);
  } finally {
    release();
  }
}

/** Where to start (the checkpoint's rule), then the Scan, the summary and the exit status. */
async function copyTable(flags: BackfillFlags, context: Context, checkpointFile: string): Promise<void> {
  const { dynamo, search, deployment } = context;
  const pageSize = wholeNumberFlag('--page-size', flags.pageSize)!;
  const { start, total, layout } = await chooseStart(flags, context, checkpointFile);
  if (!flags.json) announce(deployment, total, start, checkpointFile);
  const stop = stopOnSignals();
  const progress = progressReporter(total, start.checkpoint.counts.read, !flags.json);
  const started = Date.now();
  const result = await backfill({
    dynamo,
    port: new OpenSearchPort(search, deployment.settings.maxBulkBytes),
    tableName: deployment.tableName,
    settings: {
      ...routedSettings(deployment.settings),
      changeLogPartitioning: layout.partitioning,
      writeChangeLog: flags.changeLog === true,
    },
    checkpoint: start.checkpoint,
    pageSize,
    checkpointFile,
    onPage: progress.update,
    stopped: stop.stopping,
  });
  progress.stop();
  report(result, { json: flags.json, seconds: (Date.now() - started) / 1000, checkpointFile, start });
  process.exitCode = !result.complete && stop.stopping() ? stop.exitCode() : result.complete && result.deadLettered.length === 0 ? 0 : 1;
}

/**
 * After checking the table and putting the indexes in place: resume the checkpoint's interrupted
 * backfill, or start a new one (see startPoint), against the table and mirror as they are now.
 */
async function chooseStart(
  flags: BackfillFlags,
  { dynamo, search, access, deployment }: Context,
  checkpointFile: string,
): Promise<{ start: StartPoint; total: number; layout: ChangeLogLayout }> {
  const segments = wholeNumberFlag('--segments', flags.segments, { max: MAX_SEGMENTS });
  await tableKeyTypes(dynamo, deployment.tableName, deployment.settings.keySchema);
  const size = await tableSize(dynamo, deployment.tableName, access.local);
  const layout = await ensureIndexes(search, deployment.settings);
  if (layout.warning) console.error(`  ~ ${layout.warning}`);
  const target = await readBackfillTarget(dynamo, search, deployment.tableName, mirrorAliases(deployment.settings));
  const found = flags.restart ? undefined : readCheckpoint(checkpointFile);
  const start = startPoint(checkpointFile, found, target, {
    restart: flags.restart,
    segments,
    defaultSegments: segmentsForSize(size.bytes),
  });
  return { start, total: size.total, layout };
}

/** The first lines: what is copied where, and whether it resumes (or why a checkpoint found is not resumed). */
function announce(deployment: Deployment, total: number, start: StartPoint, checkpointFile: string): void {
  const segments = start.checkpoint.segments.length;
  console.error(
    `backfill ${deployment.tableName} → ${mirrorAliases(deployment.settings).join(', ')}: ~${total} item(s), ${segments} segment(s); checkpoint ${checkpointFile}`,
  );
  if (start.note) console.error(`  ${start.note}`);
}

/**
 * Ctrl-C or SIGTERM stops after the pages in flight (the checkpoint keeps the rest); a second one
 * exits at once. The exit status is the shell's for the signal (130 for SIGINT, 143 for SIGTERM).
 */
function stopOnSignals(): { stopping: () => boolean; exitCode: () => number } {
  let signal: NodeJS.Signals | undefined;
  const exitCode = () => 128 + (signal === 'SIGTERM' ? 15 : 2);
  const stop = (received: NodeJS.Signals) => {
    if (signal) process.exit(exitCode());
    signal = received;
    console.error('\nstopping after the pages in flight; run the same command again to resume');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return { stopping: () => signal !== undefined, exitCode };
}

function report(result: BackfillResult, run: { json?: boolean; seconds: number; checkpointFile: string; start: StartPoint }): void {
  if (run.json) {
    const summary = {
      ...result.counts,
      complete: result.complete,
      resumed: run.start.resumed,
      startedAt: run.start.checkpoint.startedAt,
      seconds: Math.round(run.seconds * 10) / 10,
      checkpoint: run.checkpointFile,
      problems: result.problems,
      deadLettered: result.deadLettered,
      unreadableKeys: result.unreadable.slice(0, 20),
    };
    console.log(JSON.stringify(summary, null, 2));
    return;
  }
  const { read, written, skipped, failed } = result.counts;
  console.log(
    `read ${read}, written ${written}, skipped ${skipped} (the mirror already had them, newer or deleted), failed ${failed}${result.complete ? '' : ' — not complete: run again to resume'}`,
  );
  for (const problem of result.problems) console.error(`  ! ${problem}`);
  if (result.deadLettered.length > 0) {
    console.error(
      `  ! ${result.deadLettered.length} item(s) dead-lettered, kept in the dead-letter index with the reason (fix it, then \`cdc redrive\`):`,
    );
    for (const letter of result.deadLettered.slice(0, 20)) console.error(`    ${letter}`);
  }
  if (result.unreadable.length > 0) {
    console.error(
      `  ~ ${result.unreadable.length} item(s) left to the stream: the AWS SDK reads an attribute named __proto__ without its value (${result.unreadable.slice(0, 5).join(', ')})`,
    );
  }
}

/** A new backfill's segments without --segments: 1 per GB of table, 4 to 32. */
function segmentsForSize(bytes: number | undefined): number {
  return Math.min(32, Math.max(4, Math.ceil((bytes ?? 0) / 1e9)));
}

/** The table's approximate item count (for the progress bar) and size (for the segments). */
async function tableSize(dynamo: DynamoDBClient, tableName: string, local: boolean): Promise<{ total: number; bytes?: number }> {
  const described = await describeItems(dynamo, tableName);
  // Emulators may not keep ItemCount: count (cheap there) for a useful progress bar.
  const total = local && !described.items ? await countItems(dynamo, tableName) : (described.items ?? 0);
  return { total, bytes: described.bytes };
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
