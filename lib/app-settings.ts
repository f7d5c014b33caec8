/**
 * The CDK app's settings, from CDK context (cdk.json or `-c key=value`), checked at synth time
 * against the settings contract: a wrong value stops synth with a message that names the context
 * key and what is allowed.
 */
import { EVENT_SOURCE_SETTINGS, type IntegerSetting } from '../lambda/settings/event-source-settings';
import { FAILURE_REPORTING_MODES, type FailureReporting } from '../lambda/settings/function-settings';
import { checkEndpoint, checkIndexName, checkInteger, checkName, checkOneOf, isUnset } from '../lambda/settings/rules';
import { SEED_NAMES } from '../lambda/settings/seed-names';
import { SettingError } from '../lambda/settings/setting-error';

export interface CdcAppSettings {
  readonly tableName: string;
  readonly functionName: string;
  readonly dlqName: string;
  readonly openSearchEndpoint: string;
  readonly changeLogIndex: string;
  readonly mirrorIndex: string;
  readonly deadLetterIndex?: string;
  readonly batchSize: number;
  readonly retryAttempts: number;
  readonly maxRecordAgeSeconds: number;
  readonly maxBatchingWindowSeconds: number;
  readonly parallelizationFactor: number;
  /** `partial` (AWS, LocalStack) or `error` (emulators that ignore partial batch responses). */
  readonly failureReporting: FailureReporting;
  /** `destroy` for throwaway local stacks, `retain` (default) keeps table, queue and logs. */
  readonly removalPolicy: 'destroy' | 'retain';
}

export type ContextReader = (key: string) => unknown;

export const DEFAULT_OPENSEARCH_ENDPOINT = 'http://localhost:9200';

export function readAppSettings(context: ContextReader): CdcAppSettings {
  try {
    const get = (key: string, fallback: unknown) => (isUnset(context(key)) ? fallback : context(key));
    const tableName = checkName('tableName', get('tableName', SEED_NAMES.tableName), /^[a-zA-Z0-9_.-]{3,255}$/, 'must be 3-255 characters of a-z A-Z 0-9 _ . -');
    const integer = (key: keyof typeof EVENT_SOURCE_SETTINGS) => checkInteger(key, get(key, (EVENT_SOURCE_SETTINGS[key] as IntegerSetting).default), EVENT_SOURCE_SETTINGS[key]);
    return {
      tableName,
      functionName: checkName('functionName', get('functionName', SEED_NAMES.functionName), /^[a-zA-Z0-9_-]{1,64}$/, 'must be 1-64 characters of a-z A-Z 0-9 _ -'),
      dlqName: checkName('dlqName', get('dlqName', SEED_NAMES.deadLetterQueueName), /^[a-zA-Z0-9_-]{1,80}$/, 'must be 1-80 characters of a-z A-Z 0-9 _ -'),
      openSearchEndpoint: checkEndpoint('openSearchEndpoint', get('openSearchEndpoint', DEFAULT_OPENSEARCH_ENDPOINT)),
      changeLogIndex: checkIndexName('changeLogIndex', get('changeLogIndex', SEED_NAMES.changeLogIndex)),
      mirrorIndex: checkIndexName('mirrorIndex', get('mirrorIndex', tableName.toLowerCase())),
      deadLetterIndex: isUnset(context('deadLetterIndex')) ? undefined : checkIndexName('deadLetterIndex', context('deadLetterIndex')),
      batchSize: integer('batchSize'),
      retryAttempts: integer('retryAttempts'),
      maxRecordAgeSeconds: integer('maxRecordAgeSeconds'),
      maxBatchingWindowSeconds: integer('maxBatchingWindowSeconds'),
      parallelizationFactor: integer('parallelizationFactor'),
      failureReporting: checkOneOf('failureReporting', get('failureReporting', 'partial'), FAILURE_REPORTING_MODES),
      removalPolicy: checkOneOf('removalPolicy', get('removalPolicy', 'retain'), ['destroy', 'retain'] as const),
    };
  } catch (error) {
    if (error instanceof SettingError) {
      throw new SettingError(`CDK context "${error.setting}"`, error.problem, error.value, `Set it in cdk.json or with -c ${error.setting}=...`);
    }
    throw error;
  }
}
