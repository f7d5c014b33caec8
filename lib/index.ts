/** The package's public surface: the construct for any CDK app, and the project's own stack. */
export { DynamoDbOpenSearchCdc, type DynamoDbOpenSearchCdcProps } from './dynamodb-opensearch-cdc';
export type { KeySchema } from '../lambda/core/document-id';
export { CdcStack, type CdcStackProps } from './cdc-stack';
export { readAppSettings, type CdcAppSettings } from './app-settings';
export { ValidationError } from './validation-error';
export { SettingError } from '../lambda/settings/setting-error';
export type { FailureReporting } from '../lambda/settings/function-settings';
