/**
 * `cdc`: the operator's command line. Today: `cdc redrive`. Room for backfill, status, tail and
 * item history as further commands over the same adapters.
 */
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Command } from 'commander';
import { createClient, ensureIndexes } from '../lambda/adapters/opensearch';
import { applySettingsFrom, loadConfig } from '../lambda/config';
import { endpointsFromEnv, sdkClientConfig } from '../local/endpoints';
import { redriveDeadLetters, redriveQueue, type RedriveReport } from './redrive';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const program = new Command('cdc').description('Operate the DynamoDB to OpenSearch CDC pipeline');

program
  .command('redrive')
  .description('re-apply records from the SQS dead-letter queue (read back from the stream) and from the dead-letter index')
  .option('--queue <name>', 'SQS dead-letter queue name', 'dynamodb-cdc-dlq')
  .option('--opensearch <url>', 'OpenSearch URL (default: $OPENSEARCH_URL or http://localhost:9200)')
  .option('--change-log-index <name>', 'change-log index', 'dynamodb-cdc')
  .option('--mirror-index <name>', 'mirror alias', 'test-table')
  .option('--dead-letter-index <name>', 'dead-letter index (default: <change log>-deadletter)')
  .option('--key-schema <keys>', 'table key: "pk" or "pk,sk"', 'id')
  .option('--no-queue-redrive', 'skip the SQS dead-letter queue')
  .option('--no-index-redrive', 'skip the dead-letter index')
  .action(async (options) => {
    const endpoints = endpointsFromEnv();
    const config = loadConfig({
      OPENSEARCH_ENDPOINT: options.opensearch ?? endpoints.openSearch,
      CHANGE_LOG_INDEX: options.changeLogIndex,
      MIRROR_INDEX: options.mirrorIndex,
      DEAD_LETTER_INDEX: options.deadLetterIndex,
      KEY_SCHEMA: options.keySchema,
    });
    const search = createClient({ endpoint: config.openSearchEndpoint, requestTimeoutMs: config.requestTimeoutMs });
    const aws = sdkClientConfig(endpoints);
    const deps = {
      sqs: new SQSClient(aws),
      streams: new DynamoDBStreamsClient(aws),
      search,
      settings: applySettingsFrom(config),
      log: (line: string) => console.log(line),
    };
    const report: RedriveReport = { messages: 0, messagesDeleted: 0, records: 0, deadLetters: 0, deadLettersCleared: 0, problems: [] };
    try {
      await ensureIndexes(search, config.indexes);
      if (options.queueRedrive) await redriveQueue(options.queue, deps, report);
      if (options.indexRedrive) await redriveDeadLetters(deps, report);
    } finally {
      deps.sqs.destroy();
      deps.streams.destroy();
      await search.close();
    }
    console.log(
      `queue: ${report.messagesDeleted}/${report.messages} message(s) re-driven (${report.records} record(s)); ` +
        `dead-letter index: ${report.deadLettersCleared}/${report.deadLetters} cleared`,
    );
    for (const problem of report.problems) console.error(`  ! ${problem}`);
    process.exitCode = report.problems.length > 0 ? 1 : 0;
  });

program.parseAsync(process.argv).catch((error) => {
  console.error(`✖ ${(error as Error).message}`);
  process.exit(1);
});
