/**
 * The endpoints every way of running shares: AWS (LocalStack or MiniStack) on :4566, OpenSearch
 * on :9200. Overridable from the environment, so the same tests and tools reach any of them.
 */
import { sdkClientConfig as cliClientConfig } from '../cli/deployment';

export interface Endpoints {
  readonly aws: string;
  readonly openSearch: string;
  readonly region: string;
}

export function endpointsFromEnv(env: NodeJS.ProcessEnv = process.env): Endpoints {
  return {
    aws: env.AWS_ENDPOINT_URL ?? 'http://localhost:4566',
    openSearch: env.OPENSEARCH_URL ?? 'http://localhost:9200',
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
  };
}

/**
 * Environment for the CDK CLI (through cdklocal) and the AWS SDK against the emulator. The S3
 * endpoint is loopback, so the CLI uses path-style bucket addresses and no DNS entry is needed.
 */
export function emulatorEnvironment(endpoints: Endpoints, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    AWS_ENDPOINT_URL: endpoints.aws,
    AWS_ENDPOINT_URL_S3: base.AWS_ENDPOINT_URL_S3 ?? endpoints.aws,
    AWS_ACCESS_KEY_ID: base.AWS_ACCESS_KEY_ID ?? 'test',
    AWS_SECRET_ACCESS_KEY: base.AWS_SECRET_ACCESS_KEY ?? 'test',
    AWS_REGION: endpoints.region,
    AWS_DEFAULT_REGION: endpoints.region,
    AWS_ENVAR_ALLOWLIST: 'AWS_ACCESS_KEY_ID,AWS_SECRET_ACCESS_KEY,AWS_REGION,AWS_DEFAULT_REGION',
  };
}

/** Settings for AWS SDK clients built in tests and tools: the CLI's, aimed at the emulator. */
export function sdkClientConfig(endpoints: Endpoints) {
  return cliClientConfig({ local: true, region: endpoints.region, endpoint: endpoints.aws });
}
