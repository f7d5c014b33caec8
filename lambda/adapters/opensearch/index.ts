/** The OpenSearch adapter: client, SearchPort, index setup, dead-letter store. */
export { createClient, type OpenSearchConnection, type ClientAccess, type AwsCredentialsProvider } from './client';
export { OpenSearchPort } from './opensearch-port';
export { ensureIndexes } from './ensure-indexes';
export { DeadLetterStore, type StoredDeadLetter } from './dead-letter-store';
export { indexTemplates, concreteIndexes } from './index-templates';
export { ChangeLogReader, keyText } from './change-log-reader';
export { pipelineCounts, type PipelineCounts } from './pipeline-counts';
export { MirrorReader, type MirroredItem } from './mirror-reader';
