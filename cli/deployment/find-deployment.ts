/**
 * What the CLI operates on, found from the deployed stack: its outputs name the table, stream,
 * function and queue; the function's environment holds its settings (indexes, key schema,
 * OpenSearch endpoint), read with the same contract the function uses. Flags override.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { fromFunctionEnvironment, ENVIRONMENT, type FunctionSettings, SettingError, parseKeySchema } from '../../lambda/settings';
import { LOCAL_OPENSEARCH_ENDPOINT, sdkClientConfig, type AwsAccess } from './aws-access';

export interface Deployment {
  readonly stackName: string;
  readonly tableName: string;
  readonly settings: FunctionSettings;
  readonly functionName?: string;
  readonly streamArn?: string;
  readonly deadLetterQueueUrl?: string;
  /** Where the settings came from, for messages. */
  readonly source: string;
  /** How the deployment's AWS services are reached, also for signing OpenSearch requests. */
  readonly access: AwsAccess;
}

/** Flags that override (or, without a deployed stack, replace) what the stack says. */
export interface DeploymentOverrides {
  readonly stack: string;
  readonly table?: string;
  readonly opensearch?: string;
  readonly changeLogIndex?: string;
  readonly mirrorIndex?: string;
  readonly deadLetterIndex?: string;
  readonly keySchema?: string;
  readonly queueUrl?: string;
  readonly auth?: string;
  readonly signingService?: string;
  readonly signingRegion?: string;
  readonly secretArn?: string;
}

/** Flag names, so a bad value is reported as the flag that overrides it; settings without a flag keep their variable's name. */
export const FLAG_NAMES: Partial<Record<keyof typeof ENVIRONMENT, string>> = {
  openSearchEndpoint: '--opensearch',
  changeLogIndex: '--change-log-index',
  mirrorIndex: '--mirror-index',
  deadLetterIndex: '--dead-letter-index',
  keySchema: '--key-schema',
  tableName: '--table',
  authMode: '--auth',
  signingService: '--signing-service',
  signingRegion: '--signing-region',
  basicAuthSecretArn: '--secret-arn',
};

export async function findDeployment(
  access: AwsAccess,
  overrides: DeploymentOverrides,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Deployment> {
  const outputs = await stackOutputs(access, overrides.stack);
  const functionName = outputs?.FunctionName;
  const deployed = functionName ? await functionEnvironment(access, functionName) : {};
  const tableName = overrides.table ?? outputs?.TableName ?? deployed[ENVIRONMENT.tableName];
  if (!outputs && (!overrides.table || !overrides.keySchema || !overrides.mirrorIndex)) {
    throw new Error(
      `stack "${overrides.stack}" is not deployed ${access.local ? `on ${access.endpoint}` : `in ${access.region}`}: deploy it ` +
        '(npm run up locally, cdk deploy on AWS), name the right one with --stack, or give --table, --key-schema and --mirror-index',
    );
  }
  requireDeployedKeySchema(overrides.keySchema, deployed[ENVIRONMENT.keySchema]);
  // Locally the function may reach OpenSearch by a name only its network knows (docker compose).
  const openSearch =
    overrides.opensearch ?? (access.local ? (env.OPENSEARCH_URL ?? LOCAL_OPENSEARCH_ENDPOINT) : deployed[ENVIRONMENT.openSearchEndpoint]);
  const given = (flag: string | undefined, variable: string) => flag ?? deployed[variable];
  let settings: FunctionSettings;
  try {
    settings = fromFunctionEnvironment({
      ...deployed,
      [ENVIRONMENT.openSearchEndpoint]: openSearch,
      [ENVIRONMENT.changeLogIndex]: given(overrides.changeLogIndex, ENVIRONMENT.changeLogIndex),
      [ENVIRONMENT.mirrorIndex]: given(overrides.mirrorIndex, ENVIRONMENT.mirrorIndex),
      [ENVIRONMENT.deadLetterIndex]: given(overrides.deadLetterIndex, ENVIRONMENT.deadLetterIndex),
      [ENVIRONMENT.keySchema]: given(overrides.keySchema, ENVIRONMENT.keySchema),
      [ENVIRONMENT.tableName]: tableName,
      [ENVIRONMENT.authMode]: given(overrides.auth, ENVIRONMENT.authMode),
      [ENVIRONMENT.signingService]: given(overrides.signingService, ENVIRONMENT.signingService),
      [ENVIRONMENT.signingRegion]: given(overrides.signingRegion, ENVIRONMENT.signingRegion),
      [ENVIRONMENT.basicAuthSecretArn]: given(overrides.secretArn, ENVIRONMENT.basicAuthSecretArn),
      // The runtime sets AWS_REGION, so the function's configuration does not hold it: the stack's region is the function's.
      AWS_REGION: access.region,
    });
  } catch (error) {
    if (!(error instanceof SettingError)) throw error;
    throw new SettingError(flagName(error.setting), error.problem, error.value);
  }
  return {
    stackName: overrides.stack,
    tableName: tableName!,
    settings,
    functionName,
    streamArn: outputs?.StreamArn,
    deadLetterQueueUrl: overrides.queueUrl ?? outputs?.DeadLetterQueueUrl,
    source: outputs ? `stack ${overrides.stack}${functionName ? ` (function ${functionName})` : ''}` : 'flags',
    access,
  };
}

/** Records applied with another key schema than the function's all become dead letters: --key-schema may only repeat it. */
function requireDeployedKeySchema(flag: string | undefined, deployedKeys: string | undefined): void {
  if (
    flag !== undefined &&
    deployedKeys !== undefined &&
    JSON.stringify(parseKeySchema(flag, '--key-schema')) !== JSON.stringify(parseKeySchema(deployedKeys))
  ) {
    throw new SettingError(
      '--key-schema',
      `contradicts the deployed function's ${ENVIRONMENT.keySchema} "${deployedKeys}": leave it out, or deployment the right stack`,
      flag,
    );
  }
}

/** A function setting as the user can change it from the CLI: its flag, else the function's variable. */
export function flagName(variable: string): string {
  const key = (Object.keys(ENVIRONMENT) as (keyof typeof ENVIRONMENT)[]).find((name) => ENVIRONMENT[name] === variable);
  const flag = key && FLAG_NAMES[key];
  return flag ? `${flag} (the function's ${variable})` : `the function's ${variable}`;
}

async function stackOutputs(access: AwsAccess, stackName: string): Promise<Record<string, string> | undefined> {
  const client = new CloudFormationClient(sdkClientConfig(access));
  try {
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = Stacks?.[0];
    if (!stack) return undefined;
    return Object.fromEntries((stack.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue ?? '']));
  } catch (error) {
    if (/does not exist|not found/i.test((error as Error).message)) return undefined;
    throw explainAwsError(error, access);
  } finally {
    client.destroy();
  }
}

async function functionEnvironment(access: AwsAccess, functionName: string): Promise<Record<string, string>> {
  const client = new LambdaClient(sdkClientConfig(access));
  try {
    const configuration = await client.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    return configuration.Environment?.Variables ?? {};
  } catch (error) {
    throw explainAwsError(error, access);
  } finally {
    client.destroy();
  }
}

/** AWS SDK errors, said as what to do. */
export function explainAwsError(error: unknown, access: AwsAccess): Error {
  const { name, message } = error as Error;
  if (name === 'CredentialsProviderError' || /credential/i.test(message)) {
    return new Error(`no AWS credentials: configure them (aws configure, AWS_PROFILE) or use --local for the local emulator (${message})`);
  }
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|connect/i.test(message)) {
    return new Error(
      `cannot reach AWS at ${access.endpoint ?? `the ${access.region} endpoints`}: ${message}${access.local ? ' (is the emulator running? npm run up)' : ''}`,
    );
  }
  return error as Error;
}
