/**
 * `cdc redrive`: re-applies the SQS dead-letter queue's pointers (records read back from the
 * stream) and then the dead-letter index (fix the cause, e.g. a mapping, first).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Command } from 'commander';
import { DeadLetterStore, ensureIndexes, MirrorReader, OpenSearchPort, type SearchTransport } from '../../lambda/adapters/opensearch';
import { emptyReport, redriveDeadLetters, redriveQueue, type RedriveDependencies, type RedriveReport } from '../redrive';
import { repairEveryMirror, type Difference } from '../sync';
import {
  routedSettings,
  sdkClientConfig,
  withDeployment,
  type AwsAccess,
  type Deployment,
  type GlobalOptions,
  searchClient,
} from '../deployment';

interface RedriveFlags {
  queue?: string;
  queueRedrive: boolean;
  indexRedrive: boolean;
}

/** The clients one run uses, closed when it ends. */
interface RedriveClients {
  readonly search: SearchTransport;
  readonly sqs: SQSClient;
  readonly streams: DynamoDBStreamsClient;
  readonly dynamo: DynamoDBClient;
}

export function registerRedrive(program: Command): void {
  program
    .command('redrive')
    .description('re-apply records from the SQS dead-letter queue (read back from the stream) and from the dead-letter index')
    .option('--queue <name>', "SQS dead-letter queue name (default: the stack's queue)")
    .option('--no-queue-redrive', 'skip the SQS dead-letter queue')
    .option('--no-index-redrive', 'skip the dead-letter index')
    .action(async (flags: RedriveFlags, command: Command) => {
      await withDeployment(command.optsWithGlobals<GlobalOptions>(), async ({ access, deployment }) => {
        const report = await runRedrive(flags, deployment, await openClients(deployment, access));
        printReport(report);
      });
    });
}

async function openClients(deployment: Deployment, access: AwsAccess): Promise<RedriveClients> {
  const aws = sdkClientConfig(access);
  return {
    search: await searchClient(deployment),
    sqs: new SQSClient(aws),
    streams: new DynamoDBStreamsClient(aws),
    dynamo: new DynamoDBClient(aws),
  };
}

/** The queue first (its records may add dead letters), then the dead-letter index. */
async function runRedrive(flags: RedriveFlags, deployment: Deployment, clients: RedriveClients): Promise<RedriveReport> {
  const report = emptyReport();
  try {
    const deps = await redriveDependencies(deployment, clients);
    if (flags.queueRedrive) await redriveQueue(await queueUrlOf(flags, deployment, clients.sqs), deps, report);
    if (flags.indexRedrive) await redriveDeadLetters(deps, report);
  } finally {
    clients.sqs.destroy();
    clients.streams.destroy();
    clients.dynamo.destroy();
    await clients.search.close();
  }
  return report;
}

async function redriveDependencies(deployment: Deployment, clients: RedriveClients): Promise<RedriveDependencies> {
  const layout = await ensureIndexes(clients.search, deployment.settings);
  if (layout.warning) console.error(`  ~ ${layout.warning}`);
  const settings = { ...routedSettings(deployment.settings), changeLogPartitioning: layout.partitioning };
  const port = new OpenSearchPort(clients.search, deployment.settings.maxBulkBytes);
  return {
    tombstoneRetentionHours: deployment.settings.tombstoneRetentionHours,
    repairMirror: (items: readonly Difference[]) =>
      repairEveryMirror(items, {
        dynamo: clients.dynamo,
        port,
        readerOf: (index) => new MirrorReader(clients.search, index),
        tableName: deployment.tableName,
        settings,
      }),
    sqs: clients.sqs,
    streams: clients.streams,
    port,
    deadLetters: new DeadLetterStore(clients.search, deployment.settings.indexes.deadLetter),
    settings,
    tableName: deployment.tableName,
    log: (line: string) => console.log(line),
  };
}

async function queueUrlOf(flags: RedriveFlags, deployment: Deployment, sqs: SQSClient): Promise<string> {
  const queueUrl = flags.queue
    ? (await sqs.send(new GetQueueUrlCommand({ QueueName: flags.queue }))).QueueUrl
    : deployment.deadLetterQueueUrl;
  if (!queueUrl) throw new Error('no dead-letter queue known: the stack has no DeadLetterQueueUrl output; pass --queue');
  return queueUrl;
}

/** The counts, then each message or dead letter kept and why; exit 1 when anything was kept. */
function printReport(report: RedriveReport): void {
  console.log(
    `queue: ${report.messagesDeleted}/${report.messages} message(s) re-driven (${report.records} record(s)); ` +
      `dead-letter index: ${report.deadLettersCleared}/${report.deadLetters} cleared`,
  );
  for (const problem of report.problems) console.error(`  ! ${problem}`);
  process.exitCode = report.problems.length > 0 ? 1 : 0;
}
