/**
 * Lambda entry point: DynamoDB stream batch in, partial batch response out; or the schedule's
 * maintenance event in, a maintenance report out.
 *
 * Wiring only: settings, the OpenSearch adapter, logs and metrics around applyChanges and runMaintenance.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import {
  connect,
  ensureIndexes,
  ensureOperatorAccess,
  OpenSearchPort,
  runMaintenance,
  type MaintenanceReport,
  type SearchTransport,
} from './adapters/opensearch';
import {
  changeLogPartition,
  compileRouting,
  endToEndLagMs,
  recordCreationTime,
  transformFor,
  type RawStreamRecord,
  type Routing,
} from './core';
import { applyChanges, AS_THE_FUNCTION_WRITES, type ApplyResult, batchResponse, type SearchPort } from './pipeline';
import {
  fromFunctionEnvironment,
  mirrorRoutes,
  type FunctionSettings,
  isMaintenanceEvent,
  MAINTENANCE_EVENT,
  endpointOrigin,
  FUNCTION_DIMENSION,
  METRIC,
  METRICS_NAMESPACE,
  SERVICE_NAME,
} from './settings';

const logger = new Logger({ serviceName: SERVICE_NAME });
const metrics = new Metrics({
  namespace: METRICS_NAMESPACE,
  serviceName: SERVICE_NAME,
  defaultDimensions: process.env.AWS_LAMBDA_FUNCTION_NAME ? { [FUNCTION_DIMENSION]: process.env.AWS_LAMBDA_FUNCTION_NAME } : {},
});

interface Pipeline {
  /** With the change-log partitioning ensureIndexes found in the cluster. */
  readonly settings: FunctionSettings;
  /** As the environment says (the maintenance compares the cluster with these). */
  readonly configured: FunctionSettings;
  readonly port: SearchPort;
  readonly transport: SearchTransport;
  /** The `mirrors` and `changeLog` settings compiled, with the transforms bundled into this function; none without those settings. */
  readonly routing?: Routing;
}

let pipeline: Promise<Pipeline> | undefined;

/** Settings and index setup happen once per container; a failure is retried next time. */
function getPipeline(): Promise<Pipeline> {
  pipeline ??= (async () => {
    const settings = fromFunctionEnvironment(process.env);
    // Before any connection: a transform the settings name but the bundle lacks is a deploy mistake, not a retryable failure.
    const routing = settings.routing && compileRouting(mirrorRoutes(settings), settings.routing.changeLog, transformFor);
    const transport = await connect({
      endpoint: settings.openSearchEndpoint,
      requestTimeoutMs: settings.requestTimeoutMs,
      auth: settings.auth,
    });
    const layout = await ensureIndexes(transport, settings);
    if (layout.warning) logger.warn(layout.warning);
    await ensureOperatorAccess(transport, settings, logger);
    logger.info('pipeline ready', {
      endpoint: endpointOrigin(settings.openSearchEndpoint),
      indexes: settings.indexes,
      changeLogPartitioning: layout.partitioning,
    });
    return {
      settings: { ...settings, changeLogPartitioning: layout.partitioning },
      configured: settings,
      port: new OpenSearchPort(transport, settings.maxBulkBytes),
      transport,
      ...(routing ? { routing } : {}),
    };
  })().catch((error) => {
    pipeline = undefined;
    throw error;
  });
  return pipeline;
}

export const handler = async (
  event: DynamoDBStreamEvent | typeof MAINTENANCE_EVENT,
): Promise<DynamoDBBatchResponse | MaintenanceReport> => {
  if (isMaintenanceEvent(event)) return maintain();
  const started = performance.now();
  const records = (event as DynamoDBStreamEvent | null)?.Records;
  if (!Array.isArray(records)) {
    // Neither a batch nor the maintenance event (a misspelt schedule input must not pass for an empty batch).
    throw new Error(
      `the event must be a DynamoDB Streams event (a list of Records) or the maintenance event ${JSON.stringify(MAINTENANCE_EVENT)}; got ${JSON.stringify(event)?.slice(0, 200)}`,
    );
  }
  let ready: Pipeline;
  try {
    ready = await getPipeline();
  } catch (error) {
    // Nothing was written: fail the whole batch so the event source retries it unchanged.
    logger.error('pipeline not ready; the whole batch will be retried', error as Error);
    throw error;
  }
  const { settings, port, routing } = ready;
  const result = await applyChanges(records, { ...settings, ...AS_THE_FUNCTION_WRITES, compiledRouting: routing }, port);
  report(result, endToEndLagMs(records, new Date()), performance.now() - started);
  await setUpAgainIfIndexesChanged(ready, records, result);
  return batchResponse(result.failures, records.length, settings.failureReporting);
};

/** Failures that mean the indexes are no longer as this container set them up. */
const INDEXES_CHANGED = /no write index is defined for alias|index_not_found_exception|cluster_block_exception/;

/**
 * The change log was migrated under this container (a single index became partitions), or the
 * cluster creates no index by itself and a record of another day needs its partition: set the
 * indexes up again, for the days of the failed records, before the event source retries them.
 */
async function setUpAgainIfIndexesChanged(
  { settings, transport }: Pipeline,
  records: readonly RawStreamRecord[],
  result: ApplyResult,
): Promise<void> {
  const stale = result.failures.filter((failure) => INDEXES_CHANGED.test(failure.reason));
  if (stale.length === 0) return;
  pipeline = undefined;
  // One set-up per partition the failed records need (records without a time: today's).
  const days = new Map(
    stale
      .map((failure) => recordCreationTime(records[failure.position]) ?? new Date())
      .map((day) => [changeLogPartition(settings.indexes.changeLog, day), day]),
  );
  for (const day of days.values()) {
    try {
      const layout = await ensureIndexes(transport, settings, day);
      logger.warn('indexes set up again after writes failed on them', {
        day,
        changeLogPartitioning: layout.partitioning,
        reason: stale[0].reason,
      });
    } catch (error) {
      logger.warn('setting the indexes up again failed; the next batch tries again', error as Error);
    }
  }
}

/**
 * The schedule's maintenance: a failure throws, so the schedule's own retries and alarms see it;
 * so does a run that did the rest of its work but not all (a partition it cannot create ahead, a
 * tombstone it could not purge).
 */
async function maintain(): Promise<MaintenanceReport> {
  try {
    const { configured, transport } = await getPipeline();
    const done = await runMaintenance(transport, configured);
    if (done.changeLog.warning) logger.warn(done.changeLog.warning);
    logger.info('maintenance done', { ...done });
    publishMaintenance(0);
    return done;
  } catch (error) {
    // Its own metric and alarm: a daily run failing is too few errors for the function's error alarm.
    // A MaintenanceFailure is logged with its report (what was done, what not).
    logger.error('maintenance failed', error as Error);
    publishMaintenance(1);
    throw error;
  }
}

function publishMaintenance(failed: 0 | 1): void {
  metrics.addMetric(METRIC.maintenanceFailed, MetricUnit.Count, failed);
  metrics.publishStoredMetrics();
}

/**
 * `lagMs`: the batch's end-to-end lag, when any record carries a creation time. `durationMs`: the
 * batch's time in the function, from the event to its writes settled (a new container's set-up
 * included), logged so the function's share of the lag can be told from the rest.
 */
function report(result: ApplyResult, lagMs: number | undefined, durationMs: number): void {
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
  logger.info('batch applied', {
    ...counts,
    deadLettered: deadLettered.length,
    failed: failures.length,
    durationMs: Math.round(durationMs * 10) / 10,
  });
}
