/**
 * Lambda entry point: DynamoDB stream batch in, partial batch response out; or the schedule's
 * maintenance event in, a maintenance report out.
 *
 * Wiring only: settings, the OpenSearch adapter, logs and metrics around applyChanges and runMaintenance.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { Client } from '@opensearch-project/opensearch';
import { createClient, ensureIndexes, OpenSearchPort, runMaintenance, type MaintenanceReport } from './adapters/opensearch';
import { endToEndLagMs } from './core/end-to-end-lag';
import { applyChanges, type ApplyResult } from './pipeline/apply-changes';
import { batchResponse } from './pipeline/batch-response';
import type { SearchPort } from './pipeline/search-port';
import { fromFunctionEnvironment, type FunctionSettings } from './settings/function-settings';
import { isMaintenanceEvent, type MAINTENANCE_EVENT } from './settings/maintenance-event';
import { endpointOrigin } from './settings/rules';
import { FUNCTION_DIMENSION, METRIC, METRICS_NAMESPACE, SERVICE_NAME } from './settings/observability';

const logger = new Logger({ serviceName: SERVICE_NAME });
const metrics = new Metrics({
  namespace: METRICS_NAMESPACE,
  serviceName: SERVICE_NAME,
  defaultDimensions: process.env.AWS_LAMBDA_FUNCTION_NAME ? { [FUNCTION_DIMENSION]: process.env.AWS_LAMBDA_FUNCTION_NAME } : {},
});

interface Pipeline {
  /** With the change-log partitioning ensureIndexes found in the cluster. */
  readonly settings: FunctionSettings;
  readonly port: SearchPort;
  readonly client: Client;
}

let pipeline: Promise<Pipeline> | undefined;

/** Settings and index setup happen once per container; a failure is retried next time. */
function getPipeline(): Promise<Pipeline> {
  pipeline ??= (async () => {
    const settings = fromFunctionEnvironment(process.env);
    const client = await createClient({ endpoint: settings.openSearchEndpoint, requestTimeoutMs: settings.requestTimeoutMs, auth: settings.auth });
    const layout = await ensureIndexes(client, settings);
    if (layout.warning) logger.warn(layout.warning);
    logger.info('pipeline ready', { endpoint: endpointOrigin(settings.openSearchEndpoint), indexes: settings.indexes, changeLogPartitioning: layout.partitioning });
    return { settings: { ...settings, changeLogPartitioning: layout.partitioning }, port: new OpenSearchPort(client, settings.maxBulkBytes), client };
  })().catch((error) => {
    pipeline = undefined;
    throw error;
  });
  return pipeline;
}

export const handler = async (event: DynamoDBStreamEvent | typeof MAINTENANCE_EVENT): Promise<DynamoDBBatchResponse | MaintenanceReport> => {
  if (isMaintenanceEvent(event)) return maintain();
  const records = event?.Records ?? [];
  if (!Array.isArray(records)) {
    throw new Error(`the event's Records must be a list of DynamoDB stream records, got ${typeof records}: this is not a DynamoDB Streams event`);
  }
  let ready: Pipeline;
  try {
    ready = await getPipeline();
  } catch (error) {
    // Nothing was written: fail the whole batch so the event source retries it unchanged.
    logger.error('pipeline not ready; the whole batch will be retried', error as Error);
    throw error;
  }
  const { settings, port } = ready;
  const result = await applyChanges(records, { ...settings, mayRaceWithDeletes: false }, port);
  report(result, endToEndLagMs(records, new Date()));
  return batchResponse(result.failures, records.length, settings.failureReporting);
};

/** The schedule's maintenance: a failure throws, so the schedule's own retries and alarms see it. */
async function maintain(): Promise<MaintenanceReport> {
  const { settings, client } = await getPipeline();
  const done = await runMaintenance(client, settings);
  if (done.changeLog.warning) logger.warn(done.changeLog.warning);
  logger.info('maintenance done', { ...done });
  return done;
}

/** `lagMs`: the batch's end-to-end lag, when any record carries a creation time. */
function report(result: ApplyResult, lagMs: number | undefined): void {
  metrics.addMetric(METRIC.recordsReceived, MetricUnit.Count, result.records);
  metrics.addMetric(METRIC.changeLogWritten, MetricUnit.Count, result.changeLogWritten);
  metrics.addMetric(METRIC.duplicateDeliveries, MetricUnit.Count, result.duplicates);
  metrics.addMetric(METRIC.mirrorWritten, MetricUnit.Count, result.mirrorWritten);
  metrics.addMetric(METRIC.mirrorDeleted, MetricUnit.Count, result.mirrorDeleted);
  metrics.addMetric(METRIC.mirrorSuperseded, MetricUnit.Count, result.mirrorSuperseded);
  metrics.addMetric(METRIC.unindexed, MetricUnit.Count, result.unindexed);
  metrics.addMetric(METRIC.deadLettered, MetricUnit.Count, result.deadLettered.length);
  metrics.addMetric(METRIC.recordsFailed, MetricUnit.Count, result.failures.length);
  if (lagMs !== undefined) metrics.addMetric(METRIC.endToEndLag, MetricUnit.Milliseconds, lagMs);
  metrics.publishStoredMetrics();

  for (const letter of result.deadLettered) logger.error('record dead-lettered', { ...letter });
  if (result.failures.length > 0) {
    logger.warn('records will be retried', { count: result.failures.length, first: result.failures[0] });
  }
  const { failures, deadLettered, ...counts } = result;
  logger.info('batch applied', { ...counts, deadLettered: deadLettered.length, failed: failures.length });
}
