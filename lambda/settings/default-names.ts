/**
 * The names the pipeline uses unless told otherwise: the original specification's, which users'
 * commands and scripts rely on (`test-table`, `dynamodb-cdc-handler`, `dynamodb-cdc`). The stack
 * uses them by default; the CLI finds the stack by its name.
 */
import { DEFAULT_CHANGE_LOG_INDEX } from './index-names';

export const DEFAULT_NAMES = {
  stackName: 'DynamoDbOpenSearchCdcStack',
  tableName: 'test-table',
  functionName: 'dynamodb-cdc-handler',
  deadLetterQueueName: 'dynamodb-cdc-dlq',
  changeLogIndex: DEFAULT_CHANGE_LOG_INDEX,
  /** The mirror alias is the table's name. */
  mirrorIndex: 'test-table',
} as const;
