#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { CdcStack } from '../lib/cdc-stack';
import { readConfig } from '../lib/config';

const app = new App();
const config = readConfig((key) => app.node.tryGetContext(key));
new CdcStack(app, 'DynamoDbOpenSearchCdcStack', {
  config,
  description: 'DynamoDB to OpenSearch change data capture',
  // Unset on LocalStack/MiniStack and in tests (environment-agnostic); set for real AWS by the CLI profile.
  env: process.env.CDK_DEFAULT_ACCOUNT ? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION } : undefined,
});
