/** The package's public surface: the construct for any CDK app, and the project's own stack. */
export { DynamoDbOpenSearchCdc, type DynamoDbOpenSearchCdcProps } from './dynamodb-opensearch-cdc';
export {
  OpenSearchTarget,
  type OpenSearchTargetBindOptions,
  type OpenSearchTargetConfig,
  type OpenSearchTargetNetwork,
  type ServerlessCollection,
  type ServerlessTargetOptions,
} from './opensearch-target';
export { CdcOpenSearchDomain, type CdcOpenSearchDomainProps } from './cdc-opensearch-domain';
export { CdcMonitoring, type CdcMonitoringOptions, type CdcMonitoringProps, type CdcAlarms } from './cdc-monitoring';
export { domainPathGrants, indexPatterns, serverlessAccessPolicy, type DomainPathGrant } from './opensearch-access';
export { checkSecureEndpoint, isLoopbackEndpoint } from './endpoint-guard';
export type {
  KeySchema,
  MirrorRoute,
  ChangeLogRoute,
  RouteMatch,
  FieldType,
  Operation,
  Transform,
  TransformContext,
  PlainItem,
  PlainValue,
  RawChange,
} from '../lambda/core';
/** The esbuild options the construct bundles the function with, to build the same bundle outside CDK. */
export { handlerBuildOptions } from './handler-code';
export { CdcStack, type CdcStackProps } from './cdc-stack';
export { readAppSettings, type CdcAppSettings, type OpenSearchKind, type OpenSearchSettings, type Platform } from './app-settings';
export { ValidationError } from './validation-error';
export { appContext, contextWithConfig, parseConfigFile } from './config-file';
export { SettingError, type ChangeLogPartitioning, type FailureReporting } from '../lambda/settings';
