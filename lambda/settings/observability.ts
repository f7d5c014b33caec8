/** Names under which the function logs and publishes metrics (dashboards and alarms use the same). */
export const SERVICE_NAME = 'dynamodb-cdc';
export const METRICS_NAMESPACE = 'DynamoDbOpenSearchCdc';
