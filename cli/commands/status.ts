/**
 * `cdc status`: one screen that answers "is it working?": the table against the mirror, the
 * change log by event (last hour and all), dead letters, the dead-letter queue, the event source
 * mapping, the age of the newest change, and a verdict with its reason. With routing (`mirrors`),
 * each mirror index's documents and tombstones (which items belong where, cdc verify checks).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Command } from 'commander';
import { pipelineCounts, type PipelineCounts } from '../../lambda/adapters/opensearch';
import { mirrorAliases } from '../../lambda/settings';
import { describeMirrorCounts, verdictOf, type Verdict } from '../status';
import { sdkClientConfig, type AwsAccess, withDeployment, type GlobalOptions, type Deployment, searchClient } from '../deployment';
import { countItems, describeItems } from '../table';

export interface StatusReport {
  readonly table: { readonly name: string; readonly items?: number; readonly counted: 'scan' | 'approximate (DescribeTable)' };
  readonly opensearch: (PipelineCounts & { readonly newestChangeAgeSeconds?: number }) | { readonly error: string };
  readonly deadLetterQueue: { readonly url?: string; readonly visible?: number; readonly inFlight?: number };
  readonly eventSourceMapping: { readonly state?: string; readonly lastResult?: string };
  readonly verdict: Verdict;
}

const EXIT = { healthy: 0, failing: 1, lagging: 2 } as const;

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description(
      'is it working? table against mirror, changes by event, dead letters, DLQ, event source mapping, newest change, and a verdict',
    )
    .option('--json', 'the report as JSON, for scripts')
    .option('--exact', "count the table with a Scan on AWS too (the default there is DescribeTable's approximate count)")
    .action(async (options: { json?: boolean; exact?: boolean }, command: Command) => {
      await withDeployment(command.optsWithGlobals<GlobalOptions>(), async ({ access, deployment }) => {
        const report = await statusOf(access, deployment, options.exact === true || access.local);
        if (options.json) console.log(JSON.stringify(report, null, 2));
        else for (const line of describe(report, deployment)) console.log(line);
        process.exitCode = EXIT[report.verdict.status];
      });
    });
}

async function statusOf(access: AwsAccess, deployment: Deployment, exact: boolean): Promise<StatusReport> {
  const aws = sdkClientConfig(access);
  const [table, opensearch, queue, mapping] = await Promise.all([
    tableItems(aws, deployment.tableName, exact),
    openSearchCounts(deployment),
    queueDepth(aws, deployment.deadLetterQueueUrl),
    eventSourceMapping(aws, deployment.functionName),
  ]);
  const reachable = 'error' in opensearch ? undefined : opensearch;
  const verdict = verdictOf({
    tableItems: table.items,
    // With routing an item may belong to several indexes or to none: verify compares them, not a count.
    mirrorItems: routed(deployment) ? undefined : reachable?.mirrorItems,
    routed: routed(deployment),
    deadLetters: reachable?.deadLetters,
    queueDepth: queue.visible,
    mappingState: mapping.state,
    mappingLastResult: mapping.lastResult,
    unreachable:
      'error' in opensearch ? `OpenSearch cannot be read at ${deployment.settings.openSearchEndpoint}: ${opensearch.error}` : undefined,
  });
  return { table: { name: deployment.tableName, ...table }, opensearch, deadLetterQueue: queue, eventSourceMapping: mapping, verdict };
}

/** Mirrors configured (`mirrors`): each index is counted, none against the table. */
function routed(deployment: Deployment): boolean {
  return deployment.settings.routing?.mirrors !== undefined;
}

async function tableItems(
  aws: object,
  tableName: string,
  exact: boolean,
): Promise<{ items?: number; counted: StatusReport['table']['counted'] }> {
  const client = new DynamoDBClient(aws);
  try {
    if (!exact) return { items: (await describeItems(client, tableName)).items, counted: 'approximate (DescribeTable)' };
    return { items: await countItems(client, tableName), counted: 'scan' };
  } finally {
    client.destroy();
  }
}

async function openSearchCounts(deployment: Deployment): Promise<StatusReport['opensearch']> {
  // A secret that cannot be read is reported like an unreachable cluster, not as the whole command's failure.
  const client = await searchClient(deployment, { requestTimeoutMs: 10_000 }).catch((error: Error) => error);
  if (client instanceof Error) return { error: client.message };
  try {
    const counts = await pipelineCounts(
      client,
      deployment.settings.indexes,
      new Date(Date.now() - 3600_000),
      mirrorAliases(deployment.settings),
    );
    const age = counts.newestChangeAt ? Math.round((Date.now() - Date.parse(counts.newestChangeAt)) / 1000) : undefined;
    return {
      ...counts,
      ...(age === undefined ? {} : { newestChangeAgeSeconds: age }),
    };
  } catch (error) {
    return { error: (error as Error).message };
  } finally {
    await client.close();
  }
}

async function queueDepth(aws: object, url: string | undefined): Promise<StatusReport['deadLetterQueue']> {
  if (!url) return {};
  const client = new SQSClient(aws);
  try {
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return {
      url,
      visible: Number(Attributes?.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
    };
  } finally {
    client.destroy();
  }
}

async function eventSourceMapping(aws: object, functionName: string | undefined): Promise<StatusReport['eventSourceMapping']> {
  if (!functionName) return {};
  const client = new LambdaClient(aws);
  try {
    const { EventSourceMappings } = await client.send(new ListEventSourceMappingsCommand({ FunctionName: functionName }));
    const mapping = EventSourceMappings?.[0];
    return { state: mapping?.State, lastResult: mapping?.LastProcessingResult };
  } finally {
    client.destroy();
  }
}

function describe(report: StatusReport, deployment: Deployment): string[] {
  const os = report.opensearch;
  const events = (counts: Record<string, number>) =>
    ['INSERT', 'MODIFY', 'REMOVE'].map((name) => `${name} ${counts[name] ?? 0}`).join(', ');
  return [
    `${deployment.source}`,
    `table ${report.table.name}: ${report.table.items ?? '?'} item(s) (${report.table.counted})`,
    ...('error' in os
      ? [`OpenSearch ${deployment.settings.openSearchEndpoint}: not readable (${os.error})`]
      : [
          ...(routed(deployment)
            ? describeMirrorCounts(os.mirrors)
            : [`mirror ${deployment.settings.indexes.mirror}: ${os.mirrorItems} item(s)`, ...notSearchable(os)]),
          `change log ${deployment.settings.indexes.changeLog}: last hour ${events(os.changesSince)}; in all ${events(os.changes)}`,
          `newest change: ${os.newestChangeAt ? `${os.newestChangeAt} (${os.newestChangeAgeSeconds} s ago)` : 'none yet'}`,
          `dead letters ${deployment.settings.indexes.deadLetter}: ${os.deadLetters}`,
        ]),
    `dead-letter queue: ${report.deadLetterQueue.url ? `${report.deadLetterQueue.visible} waiting, ${report.deadLetterQueue.inFlight} in flight` : 'unknown (no DeadLetterQueueUrl output)'}`,
    `event source mapping: ${report.eventSourceMapping.state ?? 'unknown'}${report.eventSourceMapping.lastResult ? `, last result ${report.eventSourceMapping.lastResult}` : ''}`,
    `${report.verdict.status.toUpperCase()}: ${report.verdict.reason}`,
  ];
}

/** Mirror items holding values the index does not search: kept exactly, so not a problem, but worth knowing why. */
function notSearchable(counts: PipelineCounts): string[] {
  return [
    ...(counts.mirrorItemsUnindexed > 0
      ? [
          `  ${counts.mirrorItemsUnindexed} hold attributes kept exactly but unindexed (not searchable by them): read their _cdc.unindexed_reason (query _cdc.unindexed_reason:*)`,
        ]
      : []),
    ...(counts.mirrorItemsIgnored > 0
      ? [
          `  ${counts.mirrorItemsIgnored} hold values left out of the index for not fitting their field's type (text where a number is mapped): listed in _ignored (query _ignored:<name>)`,
        ]
      : []),
  ];
}
