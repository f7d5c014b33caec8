/**
 * Clients and waits for suites that run against the live system (emulator + OpenSearch).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Client } from '@opensearch-project/opensearch';
import { endpointsFromEnv, sdkClientConfig } from '../../local/endpoints';
import { compareSequenceNumbers } from '../../lambda/core/sequence-number';

export const endpoints = endpointsFromEnv();
export const TABLE = 'test-table';
export const CHANGE_LOG = 'dynamodb-cdc';
export const MIRROR = 'test-table';
export const DEAD_LETTER = 'dynamodb-cdc-deadletter';

/**
 * The emulator the suites run on, as the integration global setup found it over HTTP
 * (test/integration/global-setup.ts); never guessed.
 */
export const EMULATOR: 'ministack' | 'localstack' = (() => {
  const name = process.env.CDC_TEST_EMULATOR;
  if (name !== 'ministack' && name !== 'localstack') {
    throw new Error(
      `CDC_TEST_EMULATOR is "${name ?? ''}": run the integration suites through jest's integration project, whose global setup sets it`,
    );
  }
  return name;
})();

/**
 * `it` on LocalStack (which behaves as AWS does in what the test checks), `it.skip` on MiniStack:
 * such a test shows as skipped there instead of passing without checking anything.
 */
export const itOnLocalStack: jest.It = EMULATOR === 'localstack' ? it : it.skip;

export function dynamo(): DynamoDBClient {
  return new DynamoDBClient(sdkClientConfig(endpoints));
}

export function search(): Client {
  // Items may hold `__proto__` and `constructor` attributes: read them as the pipeline does.
  return new Client({ node: endpoints.openSearch, disablePrototypePoisoningProtection: true });
}

/** A prefix no other run uses, so suites can share one table and index. */
export function runPrefix(name: string): string {
  return `${name}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${last ? ` (last error: ${last})` : ''}`);
}

/**
 * Every change-log document whose key starts with `prefix`, in stream order. Read with fetch and
 * JSON.parse: the OpenSearch client refuses any document holding a `__proto__` key, which is a
 * valid DynamoDB attribute name.
 */
export async function changeLogFor(client: Client, prefix: string): Promise<Record<string, any>[]> {
  await client.indices.refresh({ index: CHANGE_LOG });
  const documents: Record<string, any>[] = [];
  let after: unknown[] | undefined;
  for (;;) {
    const query = {
      size: 1000,
      query: { prefix: { 'keys.id.S': prefix } },
      sort: [{ timestamp: 'asc' }, { sequence_number: 'asc' }, { event_id: 'asc' }],
      ...(after ? { search_after: after } : {}),
    };
    const response = await fetch(`${endpoints.openSearch}/${CHANGE_LOG}/_search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(query),
    });
    const hits = ((await response.json()) as { hits: { hits: { _source: Record<string, any>; sort: unknown[] }[] } }).hits.hits;
    documents.push(...hits.map((hit) => hit._source));
    if (hits.length < 1000) break;
    after = hits[hits.length - 1].sort;
  }
  return documents.sort((a, b) => compareSequenceNumbers(a.sequence_number ?? '0', b.sequence_number ?? '0'));
}

/** Live mirror documents (tombstones excluded by the alias) whose `id` attribute starts with `prefix`. */
export async function mirrorFor(client: Client, prefix: string): Promise<Record<string, Record<string, any>>> {
  await client.indices.refresh({ index: MIRROR });
  const response = await client.search({ index: MIRROR, body: { size: 10_000, query: { prefix: { 'id.keyword': prefix } } } as never });
  return Object.fromEntries(
    (response.body.hits.hits as { _id: string; _source: Record<string, any> }[]).map((hit) => [hit._id, hit._source]),
  );
}

export function withoutBookkeeping(source: Record<string, any>): Record<string, any> {
  const { _cdc, ...item } = source;
  return item;
}

/** A dead letter of the demo table's mirror, put by hand as the function writes one for a refused write of `record`. */
export async function putDeadLetter(client: Client, id: string, record: unknown, fields: Record<string, unknown> = {}): Promise<void> {
  await client.index({
    index: DEAD_LETTER,
    id,
    body: {
      table_name: TABLE,
      record_json: JSON.stringify(record),
      failed_at: new Date().toISOString(),
      target: 'mirror',
      reason: 'refused',
      ...fields,
    } as never,
    refresh: true,
  });
}
