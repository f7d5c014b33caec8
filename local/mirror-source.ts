/**
 * Keeps the local OpenSearch's CDC indexes and the emulator's table in step across restarts.
 *
 * Both emulators keep DynamoDB in memory (MiniStack's PERSIST_STATE restores a table but not its
 * stream, and resumes the event source mapping at an offset into the emptied stream; LocalStack's
 * community edition restores no state), so every start has a new, empty table. OpenSearch keeps its
 * indexes on disk. The indexes are emptied exactly when they were built from another incarnation
 * of the table than the one the emulator now has: OpenSearch records which one it mirrors (the
 * table's stream ARN, whose label is the table's creation time to the millisecond) in the index
 * `cdc-local-source`, which lives and dies with the data it describes. Indexes built from this very
 * table are never touched, and neither are indexes of any kind while the table holds items.
 */
import { DescribeTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { partitionDay } from '../lambda/core';
import { defaultDeadLetterIndex, mirrorBackingIndex, tombstoneIndex } from '../lambda/settings';
import { sdkClientConfig, type Endpoints } from './endpoints';
import { StepError } from './step-error';

/** Where OpenSearch records which table incarnation its CDC indexes mirror: one document per table. */
export const MIRROR_SOURCE_INDEX = 'cdc-local-source';

export interface MirrorNames {
  readonly tableName: string;
  readonly mirrorIndex: string;
  /** Every mirror index, with routing (`mirrors`); absent, the one `mirrorIndex`. */
  readonly mirrorIndexes?: readonly string[];
  readonly changeLogIndex: string;
}

export type MirrorSourceOutcome =
  | { readonly action: 'kept'; readonly streamArn: string }
  | { readonly action: 'recorded'; readonly streamArn: string }
  | {
      readonly action: 'emptied';
      readonly streamArn: string;
      readonly previous?: string;
      readonly indexes: string[];
      readonly documents: number;
    }
  | { readonly action: 'left'; readonly streamArn: string; readonly previous?: string; readonly indexes: string[] };

/**
 * Compares the table the emulator has now with the one OpenSearch's CDC indexes were built from,
 * empties those indexes when the table is another (new) one and holds no items, and records the
 * table. Call it after the deploy and before anything writes to the table.
 */
export async function matchMirrorToTable(endpoints: Endpoints, names: MirrorNames): Promise<MirrorSourceOutcome> {
  const { streamArn, hasItems } = await tableIdentity(endpoints, names.tableName);
  const previous = await recordedSource(endpoints, names.tableName);
  if (previous === streamArn) return { action: 'kept', streamArn };
  const indexes = await pipelineIndexes(endpoints, names);
  if (indexes.length === 0) {
    await recordSource(endpoints, names.tableName, streamArn);
    return { action: 'recorded', streamArn };
  }
  // Never empty the mirror of a table that holds items: only a repair can tell what is right then.
  if (hasItems) return { action: 'left', streamArn, previous, indexes: indexes.map((index) => index.name) };
  const documents = indexes.reduce((sum, index) => sum + index.documents, 0);
  await openSearch(endpoints, 'DELETE', `/${indexes.map((index) => encodeURIComponent(index.name)).join(',')}`);
  await recordSource(endpoints, names.tableName, streamArn);
  return { action: 'emptied', streamArn, previous, indexes: indexes.map((index) => index.name), documents };
}

/** The line `up` prints for an outcome. */
export function describeMirrorSource(outcome: MirrorSourceOutcome, tableName: string, emulator: string): string {
  const label = (arn?: string) => (arn ? (arn.split('/stream/')[1] ?? arn) : 'unrecorded');
  switch (outcome.action) {
    case 'kept':
      return `  OpenSearch's CDC indexes kept: they mirror this ${tableName} (stream ${label(outcome.streamArn)})`;
    case 'recorded':
      return `  ${tableName} is new and empty (stream ${label(outcome.streamArn)}), and so are OpenSearch's CDC indexes`;
    case 'emptied':
      return (
        `  ${tableName} is new and empty (${emulator} keeps DynamoDB in memory; stream ${label(outcome.streamArn)}): ` +
        `OpenSearch's CDC indexes emptied to match (${outcome.documents} document(s) of the table of stream ${label(outcome.previous)})`
      );
    case 'left':
      return (
        `  ! OpenSearch's CDC indexes (${outcome.indexes.join(', ')}) were built from another ${tableName} (stream ${label(outcome.previous)}), ` +
        `but this one (stream ${label(outcome.streamArn)}) holds items: left as they are; \`npx cdc --local verify --repair\` puts the mirror right`
      );
  }
}

async function tableIdentity(endpoints: Endpoints, tableName: string): Promise<{ streamArn: string; hasItems: boolean }> {
  const client = new DynamoDBClient(sdkClientConfig(endpoints));
  try {
    const table = (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
    if (!table?.LatestStreamArn) {
      throw new StepError(`matching OpenSearch to ${tableName}`, `${tableName} has no stream`, 'deploy the stack (npm run deploy:local)');
    }
    const scan = await client.send(new ScanCommand({ TableName: tableName, Limit: 1, Select: 'COUNT' }));
    return { streamArn: table.LatestStreamArn, hasItems: (scan.Count ?? 0) > 0 || scan.LastEvaluatedKey !== undefined };
  } finally {
    client.destroy();
  }
}

async function recordedSource(endpoints: Endpoints, tableName: string): Promise<string | undefined> {
  const response = await openSearch(endpoints, 'GET', `/${MIRROR_SOURCE_INDEX}/_doc/${encodeURIComponent(tableName)}`, undefined, [404]);
  const body = response as { found?: boolean; _source?: { streamArn?: string } };
  return body.found ? body._source?.streamArn : undefined;
}

async function recordSource(endpoints: Endpoints, tableName: string, streamArn: string): Promise<void> {
  await openSearch(endpoints, 'PUT', `/${MIRROR_SOURCE_INDEX}/_doc/${encodeURIComponent(tableName)}?refresh=true`, {
    tableName,
    streamArn,
    recordedAt: new Date().toISOString(),
  });
}

/** The concrete indexes the pipeline writes for these names: each mirror's, its tombstones, the change log's partitions, the dead letters. */
async function pipelineIndexes(endpoints: Endpoints, names: MirrorNames): Promise<{ name: string; documents: number }[]> {
  const aliases = (await openSearch(endpoints, 'GET', '/_cat/aliases?format=json&h=alias,index')) as { alias: string; index: string }[];
  const mirrors = names.mirrorIndexes ?? [names.mirrorIndex];
  const behindAliases = new Set(
    aliases.filter((entry) => mirrors.includes(entry.alias) || entry.alias === names.changeLogIndex).map((entry) => entry.index),
  );
  const own = new Set([
    ...mirrors.flatMap((mirror) => [mirrorBackingIndex(mirror), tombstoneIndex(mirror)]),
    defaultDeadLetterIndex(names.changeLogIndex),
    ...behindAliases,
  ]);
  const indexes = (await openSearch(endpoints, 'GET', '/_cat/indices?format=json&h=index,docs.count')) as {
    index: string;
    'docs.count': string | null;
  }[];
  return indexes
    .filter((entry) => own.has(entry.index) || partitionDay(names.changeLogIndex, entry.index) !== undefined)
    .map((entry) => ({ name: entry.index, documents: Number(entry['docs.count'] ?? 0) }));
}

async function openSearch(endpoints: Endpoints, method: string, path: string, body?: object, accepted: number[] = []): Promise<unknown> {
  const response = await fetch(`${endpoints.openSearch}${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : undefined,
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (!response.ok && !accepted.includes(response.status)) {
    throw new StepError(
      'matching OpenSearch to the table',
      `${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`,
      'check that OpenSearch is healthy (npm run status)',
    );
  }
  return text ? JSON.parse(text) : undefined;
}
