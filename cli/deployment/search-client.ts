/**
 * The connection to OpenSearch for a deployment, authenticated as its deployed function is
 * (settings.auth): signed with the CLI's own AWS credentials (the default chain, as the CLI's other
 * AWS clients), or with the basic-auth secret the function reads. The CLI thereby needs the same
 * access the function has, and nothing more to configure.
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { connect, type ConnectionAccess, type SearchTransport } from '../../lambda/adapters/opensearch';
import { sdkClientConfig, type AwsAccess } from './aws-access';
import type { Deployment } from './find-deployment';

export function searchClient(deployment: Deployment, options: { readonly requestTimeoutMs?: number } = {}): Promise<SearchTransport> {
  const { settings } = deployment;
  return connect(
    { endpoint: settings.openSearchEndpoint, requestTimeoutMs: options.requestTimeoutMs ?? settings.requestTimeoutMs, auth: settings.auth },
    clientAccess(deployment.access),
  );
}

/** Against AWS the default chain, and secrets in their own region; locally the emulator and its credentials. */
export function clientAccess(access: AwsAccess): ConnectionAccess {
  if (!access.local) return { awsCredentials: defaultProvider() };
  const config = sdkClientConfig(access);
  return { awsCredentials: async () => config.credentials!, secretsManager: config };
}
