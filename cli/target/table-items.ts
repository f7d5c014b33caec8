/** How many items a table holds: exactly (a counting Scan) or DynamoDB's approximate count (refreshed about every 6 h). */
import { DescribeTableCommand, ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

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
