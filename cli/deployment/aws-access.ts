/**
 * How the CLI reaches AWS: the normal credential chain and region against AWS, or an emulator's
 * endpoint with `test` credentials when the deployment is local (`--local`, or AWS_ENDPOINT_URL set).
 */
import { defaultFor, SETTINGS } from '../../lambda/settings';

export interface AwsAccess {
  readonly local: boolean;
  readonly region: string;
  /** The emulator's endpoint; undefined against AWS. */
  readonly endpoint?: string;
}

export const LOCAL_AWS_ENDPOINT = 'http://localhost:4566';
/** OpenSearch on this machine: the CDK app's default endpoint on the local target. */
export const LOCAL_OPENSEARCH_ENDPOINT = defaultFor(SETTINGS.openSearchEndpoint, 'local')!;

export function awsAccess(options: { local?: boolean; region?: string }, env: NodeJS.ProcessEnv = process.env): AwsAccess {
  const local = options.local === true || !!env.AWS_ENDPOINT_URL;
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? (local ? 'us-east-1' : undefined);
  if (region === undefined) {
    throw new Error('no AWS region: pass --region, or set AWS_REGION (or use --local for the local emulator)');
  }
  return { local, region, ...(local ? { endpoint: env.AWS_ENDPOINT_URL ?? LOCAL_AWS_ENDPOINT } : {}) };
}

/** Settings for AWS SDK v3 clients. */
export function sdkClientConfig(access: AwsAccess, env: NodeJS.ProcessEnv = process.env) {
  if (!access.local) return { region: access.region };
  return {
    region: access.region,
    endpoint: access.endpoint,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'test', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'test' },
  };
}
