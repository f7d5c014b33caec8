/**
 * The connection to OpenSearch, built one way for the function, re-drive and the CLI, authenticated
 * as the settings say: unsigned, SigV4-signed (a domain or a serverless collection), or basic
 * authentication from a Secrets Manager secret.
 *
 * Built from the OpenSearch client's transport alone (its connection pool, serializer and SigV4
 * signer): the client's generated API, a method for every OpenSearch endpoint, is not needed for
 * the adapters' few requests, and stays out of the function's bundle. So does the AWS SDK's
 * credential chain: the function signs with the credentials Lambda puts in its environment, the
 * CLI passes its own provider.
 */
import Connection from '@opensearch-project/opensearch/lib/Connection.js';
import { ConnectionPool } from '@opensearch-project/opensearch/lib/pool/index.js';
import Serializer from '@opensearch-project/opensearch/lib/Serializer.js';
import Transport from '@opensearch-project/opensearch/lib/Transport.js';
import type { OpenSearchAuth } from '../../settings';
import { environmentCredentials, type AwsCredentialsProvider } from '../aws-credentials';
import { readBasicAuthSecret, type SecretsManagerAccess } from '../secrets';
import { overTransport, type SearchTransport } from './search-transport';

// The client's SigV4 signer, without its entry point (`aws-v3`), which would load the SDK's
// credential chain (and have it bundled) when no credentials provider is given: one always is here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { giveAwsV4Signer } = require('@opensearch-project/opensearch/lib/aws/shared.js') as {
  giveAwsV4Signer(defaultProvider: () => never): (options: { region: string; service: string; getCredentials: AwsCredentialsProvider }) => {
    Connection: typeof Connection;
    Transport: typeof Transport;
  };
};
const signer = giveAwsV4Signer(() => {
  throw new Error('no AWS credentials provider');
});

export interface OpenSearchConnection {
  readonly endpoint: string;
  /** Per request; a timed-out request is a transient failure of its records. */
  readonly requestTimeoutMs: number;
  /** @default { mode: 'none' } */
  readonly auth?: OpenSearchAuth;
}

/** How the connection reaches AWS; the defaults suit the function. */
export interface ConnectionAccess {
  /** SigV4 credentials, and the credentials the basic-auth secret is read with. @default the environment's (Lambda's) */
  readonly awsCredentials?: AwsCredentialsProvider;
  /** How Secrets Manager is reached for the basic-auth secret. @default the secret's region, with `awsCredentials` */
  readonly secretsManager?: Partial<SecretsManagerAccess>;
}

/** Async because basic authentication reads its secret first: a bad secret fails here, before any request. */
export async function connect(connection: OpenSearchConnection, access: ConnectionAccess = {}): Promise<SearchTransport> {
  const credentials = access.awsCredentials ?? environmentCredentials;
  const auth = connection.auth ?? { mode: 'none' };
  const classes =
    auth.mode === 'sigv4' ? signer({ region: auth.region, service: auth.service, getCredentials: credentials }) : { Connection, Transport };
  const basic = auth.mode === 'basic' ? await readBasicAuthSecret(auth.secretArn, { credentials, ...access.secretsManager }) : undefined;
  const emit = () => true;
  // As the client makes its pool for one node.
  const connectionPool = new ConnectionPool({
    Connection: classes.Connection,
    emit,
    pingTimeout: 3000,
    resurrectStrategy: 'ping',
    sniffEnabled: false,
    ...(basic ? { auth: basic } : {}),
  } as never);
  connectionPool.addConnection(connection.endpoint);
  return overTransport(
    new classes.Transport({
      emit,
      connectionPool,
      // Documents hold items, and `__proto__` and `constructor` are valid attribute names: the
      // client's default parser refuses such responses. Parsed documents are only read as data.
      serializer: new Serializer({ disablePrototypePoisoningProtection: true, enableLongNumeralSupport: false }),
      // No client-side retries: a failed request is reported to the event source, which retries
      // the records in order; retrying here too would only stretch the invocation.
      maxRetries: 0,
      requestTimeout: connection.requestTimeoutMs,
      sniffEndpoint: '_nodes/_all/http',
      nodeSelector: 'round-robin',
      name: 'opensearch-js',
    }),
  );
}
