/**
 * The OpenSearch client for a deployment, authenticated as its deployed function is (settings.auth):
 * signed with the CLI's own AWS credentials, or with the basic-auth secret the function reads.
 * The CLI thereby needs the same access the function has, and nothing more to configure.
 */
import type { Client } from '@opensearch-project/opensearch';
import { createClient, type ClientAccess } from '../../lambda/adapters/opensearch';
import { sdkClientConfig, type AwsAccess } from './aws-access';
import type { Deployment } from './find-deployment';

export function searchClient(deployment: Deployment, options: { readonly requestTimeoutMs?: number } = {}): Promise<Client> {
  const { settings } = deployment;
  return createClient(
    { endpoint: settings.openSearchEndpoint, requestTimeoutMs: options.requestTimeoutMs ?? settings.requestTimeoutMs, auth: settings.auth },
    clientAccess(deployment.access),
  );
}

/** Against AWS the default chain (as the CLI's other AWS clients); locally the emulator and its credentials. */
export function clientAccess(access: AwsAccess): ClientAccess {
  if (!access.local) return {};
  const config = sdkClientConfig(access);
  return { awsCredentials: async () => config.credentials!, secretsManager: config };
}
