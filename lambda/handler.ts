/**
 * Lambda entry point: DynamoDB stream batch in, partial batch response out.
 *
 * Wiring only: configuration, the OpenSearch adapter, logs and metrics around applyChanges.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { createClient, ensureIndexes, OpenSearchPort } from './adapters/opensearch';
import { applySettingsFrom, loadConfig, type HandlerConfig } from './config';
import { applyChanges, type ApplyResult, type SearchPort } from './sync/apply-changes';

const SERVICE = 'dynamodb-cdc';
const logger = new Logger({ serviceName: SERVICE });
const metrics = new Metrics({ namespace: 'DynamoDbOpenSearchCdc', serviceName: SERVICE });

interface Pipeline {
  readonly config: HandlerConfig;
  readonly port: SearchPort;
}

let pipeline: Promise<Pipeline> | undefined;

/** Configuration and index setup happen once per container; a failure is retried next time. */
function getPipeline(): Promise<Pipeline> {
  pipeline ??= (async () => {
    const config = loadConfig(process.env);
    const client = createClient({ endpoint: config.openSearchEndpoint, requestTimeoutMs: config.requestTimeoutMs });
    await ensureIndexes(client, config.indexes);
    logger.info('pipeline ready', { endpoint: config.openSearchEndpoint, indexes: config.indexes });
    return { config, port: new OpenSearchPort(client) };
  })().catch((error) => {
    pipeline = undefined;
    throw error;
  });
  return pipeline;
}

export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const records = event.Records ?? [];
  let pipelineReady: Pipeline;
  try {
    pipelineReady = await getPipeline();
  } catch (error) {
    // Nothing was written: fail the whole batch so the event source retries it unchanged.
    logger.error('pipeline not ready; the whole batch will be retried', error as Error);
    throw error;
  }
  const { config, port } = pipelineReady;
  const result = await applyChanges(
    records,
    applySettingsFrom(config),
    port,
  );
  report(result);

  const failures = result.failures;
  if (failures.length > 0 && (config.failureReporting === 'error' || failures.some((failure) => failure.sequenceNumber === undefined))) {
    // Retry the whole batch: asked for, or a failed record cannot be named by sequence number.
    throw new Error(`${failures.length} of ${records.length} record(s) must be retried; first: ${failures[0].reason}`);
  }
  return { batchItemFailures: failures.map((failure) => ({ itemIdentifier: failure.sequenceNumber! })) };
};

function report(result: ApplyResult): void {
  metrics.addMetric('RecordsReceived', MetricUnit.Count, result.records);
  metrics.addMetric('ChangeLogWritten', MetricUnit.Count, result.changeLogWritten);
  metrics.addMetric('DuplicateDeliveries', MetricUnit.Count, result.duplicates);
  metrics.addMetric('MirrorWritten', MetricUnit.Count, result.mirrorWritten);
  metrics.addMetric('MirrorSuperseded', MetricUnit.Count, result.mirrorSuperseded);
  metrics.addMetric('DeadLettered', MetricUnit.Count, result.deadLettered.length);
  metrics.addMetric('RecordsFailed', MetricUnit.Count, result.failures.length);
  metrics.publishStoredMetrics();

  for (const letter of result.deadLettered) logger.error('record dead-lettered', { ...letter });
  if (result.failures.length > 0) {
    logger.warn('records will be retried', { count: result.failures.length, first: result.failures[0] });
  }
  logger.info('batch applied', {
    records: result.records,
    changeLogWritten: result.changeLogWritten,
    duplicates: result.duplicates,
    mirrorWritten: result.mirrorWritten,
    mirrorSuperseded: result.mirrorSuperseded,
    deadLettered: result.deadLettered.length,
    failed: result.failures.length,
    conflictRounds: result.conflictRounds,
  });
}
