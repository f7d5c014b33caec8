/**
 * What a backfill copies from and to, as the engines know them now: the table's incarnation (a
 * table deleted and created again has another id and creation time) and the indexes behind the
 * mirror (a mirror deleted and created again has other uuids). A checkpoint records them, and is
 * resumed only against the same ones.
 */
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { pathOf, type SearchTransport } from '../../lambda/adapters/opensearch';
import type { BackfillTarget } from './checkpoint';

export async function readBackfillTarget(
  dynamo: DynamoDBClient,
  search: SearchTransport,
  table: string,
  mirrors: readonly string[],
): Promise<BackfillTarget> {
  const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: table }));
  const indexes: Record<string, { settings?: { index?: { uuid?: string } } }> = {};
  for (const mirror of mirrors) {
    const { body } = await search.request<typeof indexes>({ method: 'GET', path: pathOf(mirror, '_settings', 'index.uuid') });
    Object.assign(indexes, body);
  }
  return {
    table,
    incarnation: { arn: Table?.TableArn, id: Table?.TableId, createdAt: Table?.CreationDateTime?.toISOString() },
    mirror: mirrors.join(','),
    mirrorIndexes: Object.entries(indexes)
      .map(([name, index]) => `${name}/${index.settings?.index?.uuid ?? '?'}`)
      .sort(),
  };
}
