#!/usr/bin/env node
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SettingError } from '../lambda/settings';
import { appContext, readAppSettings, CdcStack, type CdcAppSettings } from '../lib';

const app = new App();
// `-c config=<file>`: settings from a JSON file, under the `-c` flags and over cdk.json (lib/config-file.ts).
const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
const config = settingsOrExit(appContext((key) => app.node.tryGetContext(key), cdkJson.context ?? {}));
new CdcStack(app, config.stackName, {
  config,
  description: 'DynamoDB to OpenSearch change data capture',
  // Unset on LocalStack/MiniStack and in tests (environment-agnostic); set for real AWS by the CLI profile.
  env: process.env.CDK_DEFAULT_ACCOUNT ? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION } : undefined,
});
// On AWS every synth is checked against the AWS Solutions rules: an unacknowledged finding stops it.
if (config.platform === 'aws') Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

/** A wrong context value is the user's to fix: its message alone (it names the key, the value and what is allowed), no stack trace. */
function settingsOrExit(context: (key: string) => unknown): CdcAppSettings {
  try {
    return readAppSettings(context);
  } catch (error) {
    if (!(error instanceof SettingError)) throw error;
    console.error(`Error: ${error.message}`);
    process.exit(1);
  }
}
