/** How many items a table holds: exactly (a counting Scan) or DynamoDB's approximate count (refreshed about every 6 h); and its key. */
import { DescribeTableCommand, ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { formatKeySchema, SettingError } from '../../lambda/settings';
import type { KeySchema } from '../../lambda/core';

export type KeyAttributeType = 'S' | 'N' | 'B';

/**
 * The type of each key attribute of the table, after checking that the table exists and that its
 * key is the key schema the pipeline uses: a wrong table or key schema is said as such, before any
 * item is read.
 */
export async function tableKeyTypes(
  dynamo: DynamoDBClient,
  tableName: string,
  schema: KeySchema,
): Promise<Record<string, KeyAttributeType>> {
  let table;
  try {
    table = (await dynamo.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException')
      throw new SettingError('--table', 'names no table here: check it, or --stack, --region and --local', tableName);
    throw error;
  }
  const hash = table?.KeySchema?.find((element) => element.KeyType === 'HASH')?.AttributeName;
  const range = table?.KeySchema?.find((element) => element.KeyType === 'RANGE')?.AttributeName;
  const actual: KeySchema = { partitionKey: hash ?? '?', ...(range === undefined ? {} : { sortKey: range }) };
  if (formatKeySchema(actual) !== formatKeySchema(schema)) {
    throw new SettingError(
      '--key-schema',
      `is not the key of table ${tableName}, which is "${formatKeySchema(actual)}" (fix the flag, or the function's KEY_SCHEMA)`,
      formatKeySchema(schema),
    );
  }
  const types = new Map(
    (table?.AttributeDefinitions ?? []).map((definition) => [definition.AttributeName, definition.AttributeType as KeyAttributeType]),
  );
  return Object.fromEntries([hash!, ...(range === undefined ? [] : [range])].map((name) => [name, types.get(name) ?? 'S']));
}

export async function countItems(dynamo: DynamoDBClient, tableName: string): Promise<number> {
  let items = 0;
  let startKey: Record<string, never> | undefined;
  do {
    const page = await dynamo.send(new ScanCommand({ TableName: tableName, Select: 'COUNT', ExclusiveStartKey: startKey }));
    items += page.Count ?? 0;
    startKey = page.LastEvaluatedKey as never;
  } while (startKey);
  return items;
}

export async function describeItems(dynamo: DynamoDBClient, tableName: string): Promise<{ items?: number; bytes?: number }> {
  const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
  return { items: Table?.ItemCount, bytes: Table?.TableSizeBytes };
}
