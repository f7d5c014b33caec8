/**
 * The options every command shares (which deployment, how to reach it, overrides), and running a
 * command against the deployment they name, with errors said as what to fix.
 */
import type { Command } from 'commander';
import { DEFAULT_NAMES, SettingError } from '../../lambda/settings';
import { BasicAuthSecretError } from '../../lambda/adapters/secrets';
import { awsAccess, type AwsAccess } from './aws-access';
import { findDeployment, type Deployment } from './find-deployment';

export interface GlobalOptions {
  readonly stack: string;
  readonly local?: boolean;
  readonly region?: string;
  readonly opensearch?: string;
  readonly table?: string;
  readonly changeLogIndex?: string;
  readonly mirrorIndex?: string;
  readonly deadLetterIndex?: string;
  readonly keySchema?: string;
  readonly auth?: string;
  readonly signingService?: string;
  readonly signingRegion?: string;
  readonly secretArn?: string;
}

export function addGlobalOptions(program: Command): Command {
  return program
    .option('--stack <name>', 'the deployed stack to operate on', DEFAULT_NAMES.stackName)
    .option('--local', 'deployment the local emulator (http://localhost:4566, test credentials); implied by AWS_ENDPOINT_URL')
    .option('--region <region>', 'AWS region (default: AWS_REGION)')
    .option('--opensearch <url>', "OpenSearch URL (default: the function's; locally OPENSEARCH_URL or http://localhost:9200)")
    .option('--table <name>', "table name (default: the stack's)")
    .option('--change-log-index <name>', "change-log index (default: the function's)")
    .option('--mirror-index <name>', "mirror alias (default: the function's)")
    .option('--dead-letter-index <name>', "dead-letter index (default: the function's)")
    .option('--key-schema <keys>', 'table key, "pk" or "pk,sk" (default: the function\'s)')
    .option('--auth <mode>', "OpenSearch authentication: none, sigv4 or basic (default: the function's)")
    .option('--signing-service <service>', "SigV4 service: es for a domain, aoss for a serverless collection (default: the function's)")
    .option('--signing-region <region>', "SigV4 region of the domain or collection (default: the function's)")
    .option(
      '--secret-arn <arn>',
      'Secrets Manager secret with {"username","password"} for basic authentication (default: the function\'s)',
    );
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
