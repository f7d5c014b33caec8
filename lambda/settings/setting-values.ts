/** The values an enumerated setting may take, each list once: the settings table's rules and the types read from them. */

/** Where the CDK app's stack runs (context key `target`); also which default a per-platform setting takes. */
export type Platform = 'local' | 'aws';
export const PLATFORMS: readonly Platform[] = ['local', 'aws'];

/** Which OpenSearch the CDK app's function writes to (context key `openSearch`). */
export type OpenSearchKind = 'endpoint' | 'domain' | 'serverless' | 'basicAuth' | 'newDomain';
export const OPENSEARCH_KINDS: readonly OpenSearchKind[] = ['endpoint', 'domain', 'serverless', 'basicAuth', 'newDomain'];

export type FailureReporting = 'partial' | 'error';
export const FAILURE_REPORTING_MODES: readonly FailureReporting[] = ['partial', 'error'];

/** How requests to OpenSearch are authenticated: none, AWS Signature V4, or HTTP basic authentication. */
export type AuthMode = 'none' | 'sigv4' | 'basic';
export const AUTH_MODES: readonly AuthMode[] = ['none', 'sigv4', 'basic'];

/** `es` for an OpenSearch Service domain, `aoss` for a serverless collection. */
export type SigningService = 'es' | 'aoss';
export const SIGNING_SERVICES: readonly SigningService[] = ['es', 'aoss'];

/** `daily`: one change-log index per day of the changes' creation time, behind the change-log alias; `none`: one index. */
export type ChangeLogPartitioning = 'daily' | 'none';
export const CHANGE_LOG_PARTITIONINGS: readonly ChangeLogPartitioning[] = ['daily', 'none'];

/** What happens to the table, queue, logs and a new domain when the stack is deleted. */
export type RemovalPolicyName = 'destroy' | 'retain';
export const REMOVAL_POLICIES: readonly RemovalPolicyName[] = ['destroy', 'retain'];
