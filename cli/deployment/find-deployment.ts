/**
 * What the CLI operates on, found from the deployed stack: its outputs name the table, stream,
 * function and queue; the function's environment holds its settings (indexes, key schema,
 * OpenSearch endpoint), read with the same contract the function uses. Flags override; which
 * settings have a flag, and its name, the settings table says.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  ENVIRONMENT,
  FLAG_SETTING_KEYS,
  type FlagSettingKey,
  fromFunctionEnvironment,
  FUNCTION_SETTING_KEYS,
  type FunctionSettingKey,
  type FunctionSettings,
  parseKeySchema,
  SETTINGS,
  SettingError,
  type SettingNames,
} from '../../lambda/settings';
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

/**
 * Flags that override (or, without a deployed stack, replace) what the stack says: the stack, and
 * the global flags of the function's settings under commander's option names (`--mirror-index`
 * is `mirrorIndex`; see flagOption).
 */
export interface DeploymentOverrides {
  readonly stack: string;
  readonly queueUrl?: string;
  readonly [settingFlag: string]: string | boolean | undefined;
}

type FlagFunctionSettingKey = FlagSettingKey & FunctionSettingKey;
const FLAG_FUNCTION_SETTING_KEYS = FLAG_SETTING_KEYS.filter((key): key is FlagFunctionSettingKey =>
  (FUNCTION_SETTING_KEYS as readonly string[]).includes(key),
);

/** Flag names, so a bad value is reported as the flag that overrides it; settings without a flag keep their variable's name. */
export const FLAG_NAMES: Partial<Record<FunctionSettingKey, string>> = Object.fromEntries(
  FLAG_FUNCTION_SETTING_KEYS.map((key) => [key, SETTINGS[key].cli.flag]),
);

/** The function's settings as the CLI names them in messages: `--mirror-index (the function's MIRROR_INDEX)`. */
const CLI_SETTING_NAMES = Object.fromEntries(FUNCTION_SETTING_KEYS.map((key) => [key, flagName(ENVIRONMENT[key])])) as SettingNames;

/** Commander's name for a flag's value: `--change-log-index` is `changeLogIndex`. */
export function flagOption(key: FlagSettingKey): string {
  return SETTINGS[key].cli.flag.slice(2).replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** A flag's value as text (a switch given is `true`), or undefined when it was not given. */
function flagValue(overrides: DeploymentOverrides, key: FlagSettingKey): string | undefined {
  const value = overrides[flagOption(key)];
  return value === true ? 'true' : typeof value === 'string' ? value : undefined;
}

export async function findDeployment(
  access: AwsAccess,
  overrides: DeploymentOverrides,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Deployment> {
  const outputs = await stackOutputs(access, overrides.stack);
  const functionName = outputs?.FunctionName;
  const deployed = functionName ? await functionEnvironment(access, functionName) : {};
  const settings = deploymentSettings({ access, overrides, outputs, deployed }, env);
  return {
    stackName: overrides.stack,
    tableName: settings.tableName!,
    settings,
    functionName,
    streamArn: outputs?.StreamArn,
    deadLetterQueueUrl: overrides.queueUrl ?? outputs?.DeadLetterQueueUrl,
    source: outputs ? `stack ${overrides.stack}${functionName ? ` (function ${functionName})` : ''}` : 'flags',
    access,
  };
}

/** What was found of a deployment: the stack's outputs (none when it is not deployed) and its function's environment. */
export interface DeploymentFound {
  readonly access: AwsAccess;
  readonly overrides: DeploymentOverrides;
  readonly outputs?: Readonly<Record<string, string>>;
  readonly deployed: Readonly<Record<string, string>>;
}

/**
 * The deployed function's settings with the flags overriding, read as the function reads them
 * (fromFunctionEnvironment: the same rules, the same https guard), a bad one named by its flag.
 * Without a deployment the flags are all there is: a setting without a flag takes its default for
 * the function (the `local` one where it has one per platform: a change-log retention of 0, which
 * prunes nothing).
 */
export function deploymentSettings(
  { access, overrides, outputs, deployed }: DeploymentFound,
  env: NodeJS.ProcessEnv = process.env,
): FunctionSettings {
  const flag = (key: FlagSettingKey) => flagValue(overrides, key);
  if (!outputs && (!flag('tableName') || !flag('keySchema') || !flag('mirrorIndex'))) {
    throw new Error(
      `stack "${overrides.stack}" is not deployed ${access.local ? `on ${access.endpoint}` : `in ${access.region}`}: deploy it ` +
        '(npm run up locally, cdk deploy on AWS), name the right one with --stack, or give --table, --key-schema and --mirror-index',
    );
  }
  checkKeySchemaAgrees(flag('keySchema'), deployed[ENVIRONMENT.keySchema]);
  const overridden = Object.fromEntries(
    FLAG_FUNCTION_SETTING_KEYS.map((key) => [ENVIRONMENT[key], flag(key) ?? deployed[ENVIRONMENT[key]]]),
  );
  return fromFunctionEnvironment(
    {
      ...deployed,
      ...overridden,
      [ENVIRONMENT.tableName]: flag('tableName') ?? outputs?.TableName ?? deployed[ENVIRONMENT.tableName],
      // Locally the function may reach OpenSearch by a name only its network knows (docker compose).
      [ENVIRONMENT.openSearchEndpoint]:
        flag('openSearchEndpoint') ??
        (access.local ? (env.OPENSEARCH_URL ?? LOCAL_OPENSEARCH_ENDPOINT) : deployed[ENVIRONMENT.openSearchEndpoint]),
      // The runtime sets AWS_REGION, so the function's configuration does not hold it: the stack's region is the function's.
      AWS_REGION: access.region,
    },
    CLI_SETTING_NAMES,
  );
}

/** Records applied with another key schema than the function's all become dead letters. */
function checkKeySchemaAgrees(flag: string | undefined, deployedKeys: string | undefined): void {
  const flagName = SETTINGS.keySchema.cli.flag;
  if (flag === undefined || deployedKeys === undefined) return;
  if (JSON.stringify(parseKeySchema(flag, flagName)) === JSON.stringify(parseKeySchema(deployedKeys))) return;
  throw new SettingError(
    flagName,
    `contradicts the deployed function's ${ENVIRONMENT.keySchema} "${deployedKeys}": leave it out, or point --stack at the right stack`,
    flag,
  );
}

/** A function setting as the user can change it from the CLI: its flag, else the function's variable. */
export function flagName(variable: string): string {
  const key = FUNCTION_SETTING_KEYS.find((name) => ENVIRONMENT[name] === variable);
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
