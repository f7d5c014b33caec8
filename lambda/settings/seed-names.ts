/**
 * The names the original specification gives the system, which users' commands rely on. The
 * stack uses them by default; the CLI finds the stack by its name.
 */
import { DEFAULT_CHANGE_LOG_INDEX } from './index-names';

export const SEED_NAMES = {
  stackName: 'DynamoDbOpenSearchCdcStack',
  tableName: 'test-table',
  functionName: 'dynamodb-cdc-handler',
  deadLetterQueueName: 'dynamodb-cdc-dlq',
  changeLogIndex: DEFAULT_CHANGE_LOG_INDEX,
  /** The mirror alias is the table's name. */
  mirrorIndex: 'test-table',
} as const;
