/**
 * `cdc redrive`: re-applies the SQS dead-letter queue's pointers (records read back from the
 * stream) and then the dead-letter index (fix the cause, e.g. a mapping, first).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Command } from 'commander';
import { DeadLetterStore, ensureIndexes, MirrorReader, OpenSearchPort } from '../../lambda/adapters/opensearch';
import { emptyReport, redriveDeadLetters, redriveQueue } from '../redrive';
import { repair, type Difference } from '../sync';
import { sdkClientConfig, withDeployment, type GlobalOptions, searchClient } from '../deployment';

export function registerRedrive(program: Command): void {
  program
    .command('redrive')
    .description('re-apply records from the SQS dead-letter queue (read back from the stream) and from the dead-letter index')
    .option('--queue <name>', "SQS dead-letter queue name (default: the stack's queue)")
    .option('--no-queue-redrive', 'skip the SQS dead-letter queue')
    .option('--no-index-redrive', 'skip the dead-letter index')
    .action(async (options: { queue?: string; queueRedrive: boolean; indexRedrive: boolean }, command: Command) => {
      await withDeployment(command.optsWithGlobals<GlobalOptions>(), async ({ access, deployment }) => {
        const search = await searchClient(deployment);
        const aws = sdkClientConfig(access);
        const sqs = new SQSClient(aws);
        const streams = new DynamoDBStreamsClient(aws);
        const dynamo = new DynamoDBClient(aws);
        const report = emptyReport();
        try {
          const layout = await ensureIndexes(search, deployment.settings);
          if (layout.warning) console.error(`  ~ ${layout.warning}`);
          const settings = { ...deployment.settings, changeLogPartitioning: layout.partitioning };
          const port = new OpenSearchPort(search, deployment.settings.maxBulkBytes);
          const deps = {
            tombstoneRetentionHours: deployment.settings.tombstoneRetentionHours,
            repairMirror: (items: readonly Difference[]) =>
              repair(items, {
                dynamo,
                port,
                mirror: new MirrorReader(search, deployment.settings.indexes.mirror),
                tableName: deployment.tableName,
                settings,
              }),
            sqs,
            streams,
            port,
            deadLetters: new DeadLetterStore(search, deployment.settings.indexes.deadLetter),
            settings,
            tableName: deployment.tableName,
            log: (line: string) => console.log(line),
          };
          if (options.queueRedrive) {
            const queueUrl = options.queue
              ? (await sqs.send(new GetQueueUrlCommand({ QueueName: options.queue }))).QueueUrl
              : deployment.deadLetterQueueUrl;
            if (!queueUrl) throw new Error('no dead-letter queue known: the stack has no DeadLetterQueueUrl output; pass --queue');
            await redriveQueue(queueUrl, deps, report);
          }
          if (options.indexRedrive) await redriveDeadLetters(deps, report);
        } finally {
          sqs.destroy();
          streams.destroy();
          dynamo.destroy();
          await search.close();
        }
        console.log(
          `queue: ${report.messagesDeleted}/${report.messages} message(s) re-driven (${report.records} record(s)); ` +
            `dead-letter index: ${report.deadLettersCleared}/${report.deadLetters} cleared`,
        );
        for (const problem of report.problems) console.error(`  ! ${problem}`);
        process.exitCode = report.problems.length > 0 ? 1 : 0;
      });
    });
}
