/** The OpenSearch adapter: the connection, SearchPort, index setup, operator access, maintenance, dead-letter store, readers. */
export { connect, type OpenSearchConnection, type ConnectionAccess } from './connect';
export { overTransport, pathOf, type SearchTransport, type SearchRequest, type SearchResponse } from './search-transport';
export { OpenSearchPort } from './opensearch-port';
export { actionLines } from './bulk-request';
export { ensureIndexes, detectChangeLogLayout, type IndexSetup, type ChangeLogLayout } from './ensure-indexes';
export { ensureOperatorAccess, type OperatorAccessSettings, type OperatorAccessLog } from './operator-access';
export { operatorRole, operatorBackendRoles, type SecurityRole } from './operator-role';
export { runMaintenance, MaintenanceFailure, type MaintenanceReport, type MaintenanceSettings } from './maintenance';
export { DeadLetterStore, type DeadLetterSource } from './dead-letter-store';
export { indexTemplates, concreteIndexes, type IndexLayout } from './index-templates';
export { ChangeLogReader, keyText, type ChangeLogPosition } from './change-log-reader';
export { pipelineCounts, type PipelineCounts, type MirrorCounts } from './pipeline-counts';
export { MirrorReader, mirroredItem, type MirroredItem } from './mirror-reader';
