/** Reading single items of the table exactly, and telling which items the AWS SDK cannot read whole. */
import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AttributeMap } from '../../lambda/core';

/**
 * Attributes the AWS SDK for JavaScript returns without their value: it reads an attribute named
 * `__proto__` as a property holding undefined. Such an item cannot be copied exactly: a backfill
 * leaves it to the stream, and says so.
 */
export function unreadableAttributes(item: Record<string, unknown>): string[] {
  return Object.keys(item).filter((name) => item[name] === undefined);
}

/** The item as the table holds it now (a consistent read), or undefined when it is gone. */
export async function readItem(dynamo: DynamoDBClient, tableName: string, key: AttributeMap): Promise<AttributeMap | undefined> {
  // Binary key values travel as base64 text in the pipeline; the SDK wants their bytes.
  const Key = Object.fromEntries(
    Object.entries(key).map(([name, value]) => [name, value.B === undefined ? value : { B: Buffer.from(value.B as string, 'base64') }]),
  );
  const { Item } = await dynamo.send(new GetItemCommand({ TableName: tableName, Key: Key as never, ConsistentRead: true }));
  return Item as AttributeMap | undefined;
}
