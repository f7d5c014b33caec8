/** The package's public surface: the construct for any CDK app, and the project's own stack. */
export { DynamoDbOpenSearchCdc, type DynamoDbOpenSearchCdcProps } from './dynamodb-opensearch-cdc';
export type { KeySchema } from '../lambda/core/document-id';
export { CdcStack, type CdcStackProps } from './cdc-stack';
export type { CdcAppConfig } from './config';
