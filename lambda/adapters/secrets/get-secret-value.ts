/**
 * Secrets Manager's GetSecretValue as one signed HTTPS request (AWS JSON 1.1, Signature V4 with
 * `aws4`, the signer the OpenSearch client's SigV4 already brings), so the function carries no AWS
 * SDK client for the one call basic authentication makes when a container starts.
 *
 * As the SDK does: the endpoint from AWS_ENDPOINT_URL_SECRETS_MANAGER or AWS_ENDPOINT_URL (the
 * emulators), else the region's endpoint in the secret's partition (FIPS with AWS_USE_FIPS_ENDPOINT);
 * throttling, server errors and network failures are tried again twice; a refusal keeps the
 * service's error name and message.
 */
import http from 'node:http';
import https from 'node:https';
import type { AwsCredentials, AwsCredentialsProvider } from '../aws-credentials';

// aws4 has no type declarations: its one function is typed here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aws4: { sign(request: SignableRequest, credentials: AwsCredentials): SignableRequest } = require('aws4');

interface SignableRequest extends http.RequestOptions {
  readonly service: string;
  readonly region: string;
  readonly body: string;
  headers: Record<string, string>;
}

/** How Secrets Manager is reached; the SDK client's config of the same names fits. */
export interface SecretsManagerAccess {
  /** @default AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL, or the region's endpoint in the secret's partition */
  readonly endpoint?: string;
  /** @default AWS_REGION */
  readonly region?: string;
  readonly credentials: AwsCredentials | AwsCredentialsProvider;
}

/** A refusal or failure, named as the service names it (`ResourceNotFoundException`, `AccessDeniedException`...). */
export class SecretsManagerError extends Error {
  constructor(
    name: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = name;
  }
}

const ATTEMPTS = 3;
const TIMEOUT_MS = 10_000;
const TARGET = 'secretsmanager.GetSecretValue';

/** DNS suffixes of the partitions that do not use `amazonaws.com`. */
const PARTITION_DNS_SUFFIX: Readonly<Record<string, string>> = {
  'aws-cn': 'amazonaws.com.cn',
  'aws-eusc': 'amazonaws.eu',
  'aws-iso': 'c2s.ic.gov',
  'aws-iso-b': 'sc2s.sgov.gov',
  'aws-iso-e': 'cloud.adc-e.uk',
  'aws-iso-f': 'csp.hci.ic.gov',
};

/** The secret's text (`SecretString`), undefined for a binary secret. */
export async function getSecretString(secretArn: string, access: SecretsManagerAccess): Promise<string | undefined> {
  const region = access.region ?? process.env.AWS_REGION;
  if (!region) throw new SecretsManagerError('ConfigError', 'no region to read it in (the ARN names none, AWS_REGION is unset)', false);
  const endpoint = new URL(access.endpoint ?? defaultEndpoint(secretArn, region));
  const credentials = typeof access.credentials === 'function' ? await access.credentials() : access.credentials;
  for (let attempt = 1; ; attempt++) {
    try {
      const answer = await post(endpoint, region, credentials, JSON.stringify({ SecretId: secretArn }));
      return (answer as { SecretString?: string }).SecretString;
    } catch (error) {
      const retryable = !(error instanceof SecretsManagerError) || error.retryable;
      if (!retryable || attempt === ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
}

function defaultEndpoint(secretArn: string, region: string): string {
  const configured = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER ?? process.env.AWS_ENDPOINT_URL;
  if (configured) return configured;
  const suffix = PARTITION_DNS_SUFFIX[secretArn.split(':')[1]] ?? 'amazonaws.com';
  const fips = process.env.AWS_USE_FIPS_ENDPOINT === 'true' ? '-fips' : '';
  return `https://secretsmanager${fips}.${region}.${suffix}`;
}

/** One signed POST; the parsed answer, or a SecretsManagerError with the service's error name. */
function post(endpoint: URL, region: string, credentials: AwsCredentials, body: string): Promise<unknown> {
  const request = aws4.sign(
    {
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port ? { port: endpoint.port } : {}),
      path: endpoint.pathname,
      method: 'POST',
      service: 'secretsmanager',
      region,
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': TARGET },
      body,
    },
    credentials,
  );
  return new Promise((resolve, reject) => {
    const sent = (endpoint.protocol === 'http:' ? http : https).request({ ...request, timeout: TIMEOUT_MS }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        const answer = parseAnswer(Buffer.concat(chunks).toString('utf8'));
        if (status >= 200 && status < 300) return resolve(answer);
        const name = String(answer.__type ?? response.headers['x-amzn-errortype'] ?? `HTTP${status}`).replace(/^.*#|:.*$/g, '');
        const message = String(answer.message ?? answer.Message ?? `status ${status}`);
        reject(new SecretsManagerError(name, message, status >= 500 || status === 429 || /Throttl/.test(name)));
      });
    });
    sent.on('timeout', () => sent.destroy(new Error(`no answer from ${endpoint.origin} within ${TIMEOUT_MS} ms`)));
    sent.on('error', reject);
    sent.end(request.body);
  });
}

function parseAnswer(text: string): Record<string, unknown> {
  try {
    return (JSON.parse(text) as Record<string, unknown>) ?? {};
  } catch {
    return {};
  }
}
