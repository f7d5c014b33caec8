/**
 * The OpenSearch client, built one way for the function, re-drive and the CLI.
 */
import { Client } from '@opensearch-project/opensearch';

export interface OpenSearchConnection {
  readonly endpoint: string;
  /** Per request; a timed-out request is a transient failure of its records. */
  readonly requestTimeoutMs: number;
}

export function createClient(connection: OpenSearchConnection): Client {
  // No client-side retries: a failed request is reported to the event source, which retries
  // the records in order; retrying here too would only stretch the invocation.
  return new Client({
    node: connection.endpoint,
    requestTimeout: connection.requestTimeoutMs,
    maxRetries: 0,
    // Documents hold items, and `__proto__` and `constructor` are valid attribute names: the
    // client's default parser refuses such responses. Parsed documents are only read as data.
    disablePrototypePoisoningProtection: true,
  });
}
