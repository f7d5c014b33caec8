/** Names under which the function logs and publishes metrics (dashboards and alarms use the same). */
export const SERVICE_NAME = 'dynamodb-cdc';
export const METRICS_NAMESPACE = 'DynamoDbOpenSearchCdc';

/** The function's metrics, published once per batch. */
export const METRIC = {
  recordsReceived: 'RecordsReceived',
  changeLogWritten: 'ChangeLogWritten',
  duplicateDeliveries: 'DuplicateDeliveries',
  mirrorWritten: 'MirrorWritten',
  mirrorDeleted: 'MirrorDeleted',
  mirrorSuperseded: 'MirrorSuperseded',
  unindexed: 'Unindexed',
  deadLettered: 'DeadLettered',
  recordsFailed: 'RecordsFailed',
  /** Milliseconds from a change's creation in DynamoDB to its being written, the batch's oldest. */
  endToEndLag: 'EndToEndLag',
  /** Per maintenance run: 1 when it failed (partitions or tombstones left in place), else 0. */
  maintenanceFailed: 'MaintenanceFailed',
} as const;

/** The dimension that keeps the metrics of several pipelines in one account apart. */
export const FUNCTION_DIMENSION = 'FunctionName';

/** Every metric's dimensions: the service, and the function that published it. */
export function metricDimensions(functionName: string): Record<string, string> {
  return { service: SERVICE_NAME, [FUNCTION_DIMENSION]: functionName };
}
