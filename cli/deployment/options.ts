/**
 * The options every command shares (which deployment, how to reach it, overrides), and running a
 * command against the deployment they name, with errors said as what to fix.
 */
import type { Command } from 'commander';
import { declaration, DEFAULT_NAMES, FLAG_SETTING_KEYS, SettingError } from '../../lambda/settings';
import { BasicAuthSecretError } from '../../lambda/adapters/secrets';
import { awsAccess, type AwsAccess } from './aws-access';
import { findDeployment, type Deployment } from './find-deployment';

export interface GlobalOptions {
  readonly stack: string;
  readonly local?: boolean;
  readonly region?: string;
  /** The flags of the function's settings, under commander's option names (`--mirror-index` is `mirrorIndex`). */
  readonly [settingFlag: string]: string | boolean | undefined;
}

export function addGlobalOptions(program: Command): Command {
  program
    .option('--stack <name>', 'the deployed stack to operate on', DEFAULT_NAMES.stackName)
    .option('--local', 'reach the local emulator (http://localhost:4566, test credentials); implied by AWS_ENDPOINT_URL')
    .option('--region <region>', 'AWS region (default: AWS_REGION)');
  // One flag per setting the settings table gives a flag: it overrides the deployed function's value.
  for (const key of FLAG_SETTING_KEYS) {
    const { doc, cli } = declaration(key);
    const help = `${doc.replace(/`/g, '')} (default: ${cli!.default ?? "the function's"})`;
    program.option(cli!.value ? `${cli!.flag} <${cli!.value}>` : cli!.flag, help);
  }
  return program;
}

export async function withDeployment(
  options: GlobalOptions,
  run: (context: { access: AwsAccess; deployment: Deployment }) => Promise<void>,
): Promise<void> {
  const access = awsAccess(options);
  const deployment = await findDeployment(access, { ...options, stack: options.stack });
  await run({ access, deployment });
}

/** The last word on any error: one line that says what went wrong, never a stack trace. */
export function describeFailure(error: unknown): string {
  // Both say exactly what to fix (and an AWS error name in them must not read as a network failure).
  if (error instanceof SettingError || error instanceof BasicAuthSecretError) return `✖ ${error.message}`;
  const message = (error as Error)?.message ?? String(error);
  const status =
    (error as { name?: string; statusCode?: number })?.name === 'ResponseError' ? (error as { statusCode?: number }).statusCode : undefined;
  if (status === 401 || status === 403) {
    return `✖ OpenSearch refused the request (${status} ${message}): check how it authenticates (--auth, or the function's OPENSEARCH_AUTH) and that these credentials may use the domain or collection`;
  }
  if (/ECONNREFUSED|ECONNRESET|ENOTFOUND|ConnectionError|socket hang up|timed? ?out/i.test(message)) {
    return `✖ cannot reach a service: ${message} (is it running? check --opensearch for OpenSearch, --local / AWS_ENDPOINT_URL for AWS)`;
  }
  return `✖ ${message}`;
}
