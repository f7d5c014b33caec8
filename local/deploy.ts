/**
 * Deploying the CDK stack into the emulator with cdklocal (bootstrap, then deploy), and asking
 * the emulator whether the stack's table exists.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { emulatorEnvironment, sdkClientConfig, type Endpoints } from './endpoints';
import { paths, PROJECT_ROOT } from './paths';
import { httpOk, run } from './processes';
import { type Engine, emulatorEngine } from './engines';
import { configContext, type LocalConfig } from './config-file';
import { StepError } from './step-error';

const CDKLOCAL = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'cdklocal');

/** Context for every local deploy: throwaway resources. Each emulator adds its own (Engine.deployContext). */
export const LOCAL_DEPLOY_CONTEXT = ['-c', 'removalPolicy=destroy'];

/**
 * Deploys with the context the emulator needs (`emulatorContext`, from its Engine; when not
 * given, the emulator answering on the endpoint is asked what it is), and the `--config` file's.
 */
export async function deployToEmulator(endpoints: Endpoints, emulatorContext?: readonly string[], config?: LocalConfig): Promise<void> {
  const context = emulatorContext ?? (await runningEmulatorEngine(endpoints)).deployContext ?? [];
  deployStack(endpoints, [...context, ...configContext(config)]);
}

/** MiniStack answers /_ministack/health; anything else LocalStack-style is taken for LocalStack. */
export async function runningEmulatorEngine(endpoints: Endpoints): Promise<Engine> {
  const port = Number(new URL(endpoints.aws).port || 80);
  return (await httpOk(`${endpoints.aws}/_ministack/health`)) ? emulatorEngine(port, 'ministack') : emulatorEngine(port, 'localstack');
}

export function deployStack(endpoints: Endpoints, extraContext: readonly string[] = []): void {
  const env = emulatorEnvironment(endpoints);
  const log = path.join(paths.logs, 'deploy.log');
  fs.mkdirSync(paths.logs, { recursive: true });
  const account = 'aws://000000000000/' + endpoints.region;
  const steps: [string, string[]][] = [
    ['bootstrapping the CDK environment (cdklocal bootstrap)', ['bootstrap', '--output', paths.cdkOut, account]],
    [
      'deploying the stack (cdklocal deploy)',
      [
        'deploy',
        '--require-approval',
        'never',
        '--output',
        paths.cdkOut,
        '--outputs-file',
        paths.outputs,
        '-c',
        `openSearchEndpoint=${endpoints.openSearch}`,
        ...LOCAL_DEPLOY_CONTEXT,
        ...extraContext,
      ],
    ],
  ];
  for (const [step, args] of steps) {
    const result = run(CDKLOCAL, args, { cwd: PROJECT_ROOT, env, timeoutMs: 10 * 60_000 });
    fs.appendFileSync(log, `\n=== ${new Date().toISOString()} cdklocal ${args.join(' ')}\n${result.stdout ?? ''}${result.stderr ?? ''}`);
    if (result.status !== 0) {
      throw new StepError(
        step,
        `cdklocal exited with ${result.status ?? result.error}`,
        'read the deploy log above; `npm run synth` shows template errors without the emulator',
        log,
      );
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
