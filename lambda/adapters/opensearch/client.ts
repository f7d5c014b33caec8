/**
 * The OpenSearch client, built one way for the function, re-drive and the CLI, authenticated as
 * the settings say: unsigned, SigV4-signed (a domain or a serverless collection), or basic
 * authentication from a Secrets Manager secret.
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { Client, type ClientOptions } from '@opensearch-project/opensearch';
import { AwsSigv4Signer, type AwsSigv4SignerOptions } from '@opensearch-project/opensearch/aws-v3';
import type { OpenSearchAuth } from '../../settings';
import { readBasicAuthSecret } from '../secrets';

export interface OpenSearchConnection {
  readonly endpoint: string;
  /** Per request; a timed-out request is a transient failure of its records. */
  readonly requestTimeoutMs: number;
  /** @default { mode: 'none' } */
  readonly auth?: OpenSearchAuth;
}

/** Where AWS credentials come from: by default the default chain, as every AWS SDK client. */
export type AwsCredentialsProvider = NonNullable<AwsSigv4SignerOptions['getCredentials']>;

/** How the client reaches AWS for its credentials; the defaults suit the function and the CLI on AWS. */
export interface ClientAccess {
  /** SigV4 credentials. @default the default credential chain, refreshed before they expire */
  readonly awsCredentials?: AwsCredentialsProvider;
  /** How Secrets Manager is reached for the basic-auth secret. @default the secret's region, default chain */
  readonly secretsManager?: SecretsManagerClientConfig;
}

/** Async because basic authentication reads its secret first: a bad secret fails here, before any request. */
export async function createClient(connection: OpenSearchConnection, access: ClientAccess = {}): Promise<Client> {
  // No client-side retries: a failed request is reported to the event source, which retries
  // the records in order; retrying here too would only stretch the invocation.
  return new Client({
    node: connection.endpoint,
    requestTimeout: connection.requestTimeoutMs,
    maxRetries: 0,
    // Documents hold items, and `__proto__` and `constructor` are valid attribute names: the
    // client's default parser refuses such responses. Parsed documents are only read as data.
    disablePrototypePoisoningProtection: true,
    ...(await authOptions(connection.auth ?? { mode: 'none' }, access)),
  });
}

async function authOptions(auth: OpenSearchAuth, access: ClientAccess): Promise<Pick<ClientOptions, 'Connection' | 'Transport' | 'auth'>> {
  switch (auth.mode) {
    case 'none':
      return {};
    case 'sigv4': {
      // The client's own signer: it signs the body's hash too (required by `aoss`) and asks the
      // provider again when the credentials are about to expire; the default chain's provider
      // caches them until then.
      const { Connection, Transport } = AwsSigv4Signer({
        region: auth.region,
        service: auth.service,
        getCredentials: access.awsCredentials ?? defaultProvider(),
      });
      return { Connection, Transport };
    }
    case 'basic':
      return { auth: await readBasicAuthSecret(auth.secretArn, access.secretsManager) };
  }
}
