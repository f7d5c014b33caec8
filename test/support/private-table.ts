/** A DynamoDB table of a test's own (key `id`, no stream), and items written to it in batches. */
import { BatchWriteItemCommand, CreateTableCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

export async function createTable(client: DynamoDBClient, table: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

/** Puts one item per id, `{ id, ...attributes }`, 25 at a time. */
export async function putItems(
  client: DynamoDBClient,
  table: string,
  ids: readonly string[],
  attributes: Record<string, AttributeValue>,
): Promise<void> {
  for (let i = 0; i < ids.length; i += 25) {
    const requests = ids.slice(i, i + 25).map((id) => ({ PutRequest: { Item: { id: { S: id }, ...attributes } } }));
    await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: requests } }));
  }
}
