/**
 * Proof that the deployed pipeline works: a write to the table must show up in OpenSearch.
 */
import * as path from 'node:path';
import { DeleteItemCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { tombstoneIndex } from '../lambda/settings';
import { sdkClientConfig, type Endpoints } from './endpoints';
import { paths } from './paths';
import { sleep } from './processes';
import { StepError } from './step-error';

/**
 * Writes a probe item, waits until its change reaches the change log, then removes every trace
 * of it (item, change-log documents, mirror tombstone), so users start from a clean index.
 */
export async function proveWritesReachOpenSearch(
  endpoints: Endpoints,
  options: { tableName: string; changeLogIndex: string; mirrorIndex: string; timeoutMs: number; emulatorLog?: string },
): Promise<number> {
  const client = new DynamoDBClient(sdkClientConfig(endpoints));
  const probeId = `cdc-readiness-probe-${process.pid}-${Date.now()}`;
  const started = Date.now();
  try {
    await client.send(new PutItemCommand({ TableName: options.tableName, Item: { id: { S: probeId } } }));
    const query = { query: { term: { 'keys.id.S': probeId } } };
    const arrived = await waitForCount(endpoints, options.changeLogIndex, query, 1, options.timeoutMs);
    const elapsed = Date.now() - started;
    if (!arrived) {
      throw new StepError(
        'checking that writes reach OpenSearch',
        `a write to ${options.tableName} did not appear in ${options.changeLogIndex} within ${options.timeoutMs / 1000}s`,
        'look for "dynamodb-cdc-handler" errors in the emulator log; check that the event source mapping exists (aws lambda list-event-source-mappings)',
        options.emulatorLog ?? path.join(paths.logs, 'ministack.log'),
      );
    }
    await client.send(new DeleteItemCommand({ TableName: options.tableName, Key: { id: { S: probeId } } }));
    await waitForCount(endpoints, options.changeLogIndex, query, 2, options.timeoutMs);
    await fetch(`${endpoints.openSearch}/${options.changeLogIndex}/_delete_by_query?refresh=true&conflicts=proceed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(query),
    });
    // By id: real-time, unlike a query, which could run before the tombstone is searchable.
    await fetch(`${endpoints.openSearch}/${tombstoneIndex(options.mirrorIndex)}/_doc/${encodeURIComponent(probeId)}?refresh=true`, {
      method: 'DELETE',
    });
    return elapsed;
  } finally {
    client.destroy();
  }
}

/** Polls `_count` until it reaches `expected`; false on timeout. The index may not exist yet. */
async function waitForCount(endpoints: Endpoints, index: string, query: object, expected: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const response = await fetch(`${endpoints.openSearch}/${index}/_count`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(query),
    }).catch(() => undefined);
    if (response?.ok && ((await response.json()) as { count: number }).count >= expected) return true;
    await sleep(250);
  }
  return false;
}
