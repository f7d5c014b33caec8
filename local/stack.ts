/**
 * Deploying the CDK stack into the emulator with cdklocal, and proving the pipeline works:
 * a write to the table must show up in OpenSearch.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DeleteItemCommand, DescribeTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mirrorBackingIndex } from '../lambda/core/index-layout';
import { emulatorEnvironment, sdkClientConfig, type Endpoints } from './endpoints';
import { paths, PROJECT_ROOT } from './paths';
import { run, sleep } from './processes';
import { StepError } from './step-error';

const CDKLOCAL = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'cdklocal');

/** Context for a local deploy: throwaway resources, and the function told to fail whole batches
 * (MiniStack ignores partial batch responses for streams, so only a thrown error is retried). */
export const LOCAL_DEPLOY_CONTEXT = ['-c', 'removalPolicy=destroy', '-c', 'failureReporting=error'];

export function deployStack(endpoints: Endpoints, extraContext: readonly string[] = []): void {
  const env = emulatorEnvironment(endpoints);
  const log = path.join(paths.logs, 'deploy.log');
  fs.mkdirSync(paths.logs, { recursive: true });
  const account = 'aws://000000000000/' + endpoints.region;
  const steps: [string, string[]][] = [
    ['bootstrapping the CDK environment (cdklocal bootstrap)', ['bootstrap', account]],
    [
      'deploying the stack (cdklocal deploy)',
      ['deploy', '--require-approval', 'never', '--outputs-file', paths.outputs, '-c', `openSearchEndpoint=${endpoints.openSearch}`, ...LOCAL_DEPLOY_CONTEXT, ...extraContext],
    ],
  ];
  for (const [step, args] of steps) {
    const result = run(CDKLOCAL, args, { cwd: PROJECT_ROOT, env, timeoutMs: 10 * 60_000 });
    fs.appendFileSync(log, `\n=== ${new Date().toISOString()} cdklocal ${args.join(' ')}\n${result.stdout ?? ''}${result.stderr ?? ''}`);
    if (result.status !== 0) {
      throw new StepError(step, `cdklocal exited with ${result.status ?? result.error}`, 'read the deploy log above; `npm run synth` shows template errors without the emulator', log);
    }
  }
}

export async function tableExists(endpoints: Endpoints, tableName: string): Promise<boolean> {
  const client = new DynamoDBClient(sdkClientConfig(endpoints));
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch {
    return false;
  } finally {
    client.destroy();
  }
}

/**
 * Writes a probe item, waits until its change reaches the change log, then removes every trace
 * of it (item, change-log documents, mirror tombstone), so users start from a clean index.
 */
export async function proveWritesReachOpenSearch(endpoints: Endpoints, options: { tableName: string; changeLogIndex: string; mirrorIndex: string; timeoutMs: number }): Promise<number> {
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
        path.join(paths.logs, 'ministack.log'),
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
    await fetch(`${endpoints.openSearch}/${mirrorBackingIndex(options.mirrorIndex)}/_doc/${encodeURIComponent(probeId)}?refresh=true`, { method: 'DELETE' });
    return elapsed;
  } finally {
    client.destroy();
  }
}

/** Polls `_count` until it reaches `expected`; false on timeout. The index may not exist yet. */
async function waitForCount(endpoints: Endpoints, index: string, query: object, expected: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const response = await fetch(`${endpoints.openSearch}/${index}/_count`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(query) }).catch(() => undefined);
    if (response?.ok && ((await response.json()) as { count: number }).count >= expected) return true;
    await sleep(250);
  }
  return false;
}
