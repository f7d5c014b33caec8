/**
 * Proof that the deployed pipeline works: a write to the table must show up in OpenSearch.
 */
import * as path from 'node:path';
import { type AttributeValue, DeleteItemCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { documentId, type AttributeMap } from '../lambda/core';
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
  options: {
    tableName: string;
    changeLogIndex: string;
    mirrorIndex: string;
    /** Every mirror index (routing); absent, the one `mirrorIndex`. */
    mirrorIndexes?: readonly string[];
    /** The table's key attributes; absent, `id` (S). */
    keys?: readonly ProbeKey[];
    timeoutMs: number;
    emulatorLog?: string;
  },
): Promise<number> {
  const client = new DynamoDBClient(sdkClientConfig(endpoints));
  const probeId = `cdc-readiness-probe-${process.pid}-${Date.now()}`;
  const keys = options.keys ?? [{ name: 'id', type: 'S' }];
  const key = probeKey(keys, probeId);
  const recordKey = asInStreamRecords(key);
  const started = Date.now();
  try {
    await client.send(new PutItemCommand({ TableName: options.tableName, Item: key }));
    const [partitionKey] = keys;
    const query = {
      query: { term: { [`keys.${partitionKey.name}.${partitionKey.type}`]: recordKey[partitionKey.name][partitionKey.type] } },
    };
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
    await client.send(new DeleteItemCommand({ TableName: options.tableName, Key: key }));
    await waitForCount(endpoints, options.changeLogIndex, query, 2, options.timeoutMs);
    await fetch(`${endpoints.openSearch}/${options.changeLogIndex}/_delete_by_query?refresh=true&conflicts=proceed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(query),
    });
    // By id: real-time, unlike a query, which could run before the tombstone is searchable. (A mirror the probe does not belong to has none.)
    const id = documentId(recordKey as unknown as AttributeMap, {
      partitionKey: partitionKey.name,
      ...(keys[1] ? { sortKey: keys[1].name } : {}),
    });
    for (const mirror of options.mirrorIndexes ?? [options.mirrorIndex])
      await fetch(`${endpoints.openSearch}/${tombstoneIndex(mirror)}/_doc/${encodeURIComponent(id)}?refresh=true`, { method: 'DELETE' });
    return elapsed;
  } finally {
    client.destroy();
  }
}

export interface ProbeKey {
  readonly name: string;
  readonly type: 'S' | 'N' | 'B';
}

/** The probe item's key: text for S, a number unlikely to be a user's for N, the text's bytes for B. */
export function probeKey(keys: readonly ProbeKey[], probeId: string): Record<string, AttributeValue> {
  const number = String(Date.now() * 1000 + (process.pid % 1000));
  const value = (type: ProbeKey['type']): AttributeValue =>
    type === 'S' ? { S: probeId } : type === 'N' ? { N: number } : { B: Buffer.from(probeId) };
  return Object.fromEntries(keys.map((key) => [key.name, value(key.type)]));
}

/** The key as stream records (and the change log) carry it: binary as base64. */
function asInStreamRecords(key: Record<string, AttributeValue>): Record<string, Record<string, string>> {
  return Object.fromEntries(
    Object.entries(key).map(([name, value]) => [
      name,
      value.B ? { B: Buffer.from(value.B).toString('base64') } : (value as unknown as Record<string, string>),
    ]),
  );
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
