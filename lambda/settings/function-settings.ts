/**
 * The function's settings: the one place that knows their environment variable names, defaults,
 * parsing and serialising. The construct writes them (toFunctionEnvironment), the function reads
 * them (fromFunctionEnvironment), and the CLI discovers them from a deployed function the same way.
 */
import { parseKeySchema, formatKeySchema } from './key-schema';
import { type KeySchema, changeLogPartitionPattern, partitionPatternCatches } from '../core';
import { defaultDeadLetterIndex, DEFAULT_CHANGE_LOG_INDEX, mirrorBackingIndex, tombstoneIndex, type IndexNames } from './index-names';
import { checkEndpoint, checkIndexName, checkInteger, checkName, checkOneOf, isUnset } from './rules';
import { SettingError } from './setting-error';

export type FailureReporting = 'partial' | 'error';
export const FAILURE_REPORTING_MODES: readonly FailureReporting[] = ['partial', 'error'];

/** How requests to OpenSearch are authenticated. */
export type OpenSearchAuth =
  /** None: a local cluster, or one that trusts its network. */
  | { readonly mode: 'none' }
  /** AWS Signature V4 with the caller's credentials: `es` for a domain, `aoss` for a serverless collection. */
  | { readonly mode: 'sigv4'; readonly service: SigningService; readonly region: string }
  /** HTTP basic authentication; the user name and password are read from this secret at run time. */
  | { readonly mode: 'basic'; readonly secretArn: string };
export type AuthMode = OpenSearchAuth['mode'];
export const AUTH_MODES: readonly AuthMode[] = ['none', 'sigv4', 'basic'];
export type SigningService = 'es' | 'aoss';
export const SIGNING_SERVICES: readonly SigningService[] = ['es', 'aoss'];

/** `daily`: one change-log index per day of the changes' creation time, behind the change-log alias; `none`: one index. */
export type ChangeLogPartitioning = 'daily' | 'none';
export const CHANGE_LOG_PARTITIONINGS: readonly ChangeLogPartitioning[] = ['daily', 'none'];

export interface FunctionSettings {
  readonly openSearchEndpoint: string;
  readonly auth: OpenSearchAuth;
  readonly indexes: IndexNames;
  readonly keySchema: KeySchema;
  /** The captured table, for records that do not name their source (manual invokes). */
  readonly tableName?: string;
  /** Largest `_bulk` request body; a bigger batch is sent in several requests. */
  readonly maxBulkBytes: number;
  /** Per OpenSearch request; a timed-out request is a transient failure of its records. */
  readonly requestTimeoutMs: number;
  /** `partial`: return the failed records; `error`: throw so the whole batch is retried. */
  readonly failureReporting: FailureReporting;
  readonly changeLogPartitioning: ChangeLogPartitioning;
  /** Daily partitions older than this many days are deleted; 0 keeps them forever. */
  readonly changeLogRetentionDays: number;
  /** Primary shards of the mirror's backing index (set when it is created). */
  readonly mirrorShards: number;
  /**
   * A tombstone older than this is purged. It must outlive every way an older change of the item
   * can still arrive: the stream's retention (24 h), the event source's retries and a re-drive.
   */
  readonly tombstoneRetentionHours: number;
}

/** The environment variable of each setting. */
export const ENVIRONMENT = {
  openSearchEndpoint: 'OPENSEARCH_ENDPOINT',
  changeLogIndex: 'CHANGE_LOG_INDEX',
  mirrorIndex: 'MIRROR_INDEX',
  deadLetterIndex: 'DEAD_LETTER_INDEX',
  keySchema: 'KEY_SCHEMA',
  tableName: 'TABLE_NAME',
  maxBulkBytes: 'MAX_BULK_BYTES',
  requestTimeoutMs: 'REQUEST_TIMEOUT_MS',
  failureReporting: 'FAILURE_REPORTING',
  authMode: 'OPENSEARCH_AUTH',
  signingService: 'OPENSEARCH_SIGNING_SERVICE',
  signingRegion: 'OPENSEARCH_REGION',
  basicAuthSecretArn: 'OPENSEARCH_SECRET_ARN',
  changeLogPartitioning: 'CHANGE_LOG_PARTITIONING',
  changeLogRetentionDays: 'CHANGE_LOG_RETENTION_DAYS',
  mirrorShards: 'MIRROR_SHARDS',
  tombstoneRetentionHours: 'TOMBSTONE_RETENTION_HOURS',
} as const;

export const FUNCTION_DEFAULTS = {
  changeLogIndex: DEFAULT_CHANGE_LOG_INDEX,
  maxBulkBytes: 9 * 1024 * 1024,
  requestTimeoutMs: 30_000,
  failureReporting: 'partial' as FailureReporting,
  authMode: 'none' as AuthMode,
  signingService: 'es' as SigningService,
  changeLogPartitioning: 'daily' as ChangeLogPartitioning,
  changeLogRetentionDays: 0,
  mirrorShards: 1,
  /** Twice the stream's 24 h retention. */
  tombstoneRetentionHours: 48,
};

/** What a caller may give; everything else has a default. Values are checked, names in errors are `names[key]`. */
export interface FunctionSettingsInput {
  readonly openSearchEndpoint?: unknown;
  readonly changeLogIndex?: unknown;
  readonly mirrorIndex?: unknown;
  readonly deadLetterIndex?: unknown;
  readonly keySchema?: unknown;
  readonly tableName?: unknown;
  readonly maxBulkBytes?: unknown;
  readonly requestTimeoutMs?: unknown;
  readonly failureReporting?: unknown;
  readonly authMode?: unknown;
  readonly signingService?: unknown;
  /** @default the function's own region (AWS_REGION) */
  readonly signingRegion?: unknown;
  readonly basicAuthSecretArn?: unknown;
  readonly changeLogPartitioning?: unknown;
  readonly changeLogRetentionDays?: unknown;
  readonly mirrorShards?: unknown;
  readonly tombstoneRetentionHours?: unknown;
}

export type SettingNames = { readonly [K in keyof FunctionSettingsInput]-?: string };

/** Prop / context-key names: the construct's and the CDK app's view. */
export const PROP_NAMES: SettingNames = {
  openSearchEndpoint: 'openSearchEndpoint',
  changeLogIndex: 'changeLogIndex',
  mirrorIndex: 'mirrorIndex',
  deadLetterIndex: 'deadLetterIndex',
  keySchema: 'keySchema',
  tableName: 'tableName',
  maxBulkBytes: 'maxBulkBytes',
  requestTimeoutMs: 'requestTimeoutMs',
  failureReporting: 'failureReporting',
  authMode: 'authMode',
  signingService: 'signingService',
  signingRegion: 'signingRegion',
  basicAuthSecretArn: 'basicAuthSecretArn',
  changeLogPartitioning: 'changeLogPartitioning',
  changeLogRetentionDays: 'changeLogRetentionDays',
  mirrorShards: 'mirrorShards',
  tombstoneRetentionHours: 'tombstoneRetentionHours',
};

/** Checks every setting and fills in defaults; the first bad one throws, named as `names` says. */
export function resolveFunctionSettings(
  input: FunctionSettingsInput,
  names: SettingNames = PROP_NAMES,
  /** Values only known at deploy time (CDK tokens) are taken as they are: the endpoint of a domain made in the same app. */
  isUnresolved: (value: unknown) => boolean = () => false,
): FunctionSettings {
  const changeLog = checkIndexName(names.changeLogIndex, orDefault(input.changeLogIndex, FUNCTION_DEFAULTS.changeLogIndex));
  const mirror = checkIndexName(names.mirrorIndex, required(names.mirrorIndex, input.mirrorIndex, 'the mirror alias, such as test-table'));
  const deadLetter = checkIndexName(names.deadLetterIndex, orDefault(input.deadLetterIndex, defaultDeadLetterIndex(changeLog)));
  // The mirror brings two more indexes of its own: no name of the pipeline may be another's.
  const taken = new Map<string, string>([
    [mirror, `${names.mirrorIndex} (the mirror alias)`],
    [mirrorBackingIndex(mirror), `${names.mirrorIndex} (its backing index ${mirrorBackingIndex(mirror)})`],
    [tombstoneIndex(mirror), `${names.mirrorIndex} (its tombstones ${tombstoneIndex(mirror)})`],
  ]);
  for (const [setting, index] of [
    [names.changeLogIndex, changeLog],
    [names.deadLetterIndex, deadLetter],
  ] as const) {
    const owner = taken.get(index);
    if (owner) throw new SettingError(setting, `must differ from the indexes of ${owner}`, index);
    taken.set(index, setting);
  }
  // The change log's daily partitions are made by a template of this pattern: it must shape no other index of the pipeline.
  for (const [index, owner] of taken) {
    if (index !== changeLog && partitionPatternCatches(changeLog, index)) {
      const setting = owner === names.deadLetterIndex ? names.deadLetterIndex : names.mirrorIndex;
      throw new SettingError(
        setting,
        `makes an index (${index}) that matches ${changeLogPartitionPattern(changeLog)}, the pattern of the change log's daily partitions; choose another name`,
        index,
      );
    }
  }
  const unlessUnresolved = <T>(value: unknown, check: (value: unknown) => T): T => (isUnresolved(value) ? (value as T) : check(value));
  return {
    openSearchEndpoint: unlessUnresolved(input.openSearchEndpoint, (value) => checkEndpoint(names.openSearchEndpoint, value)),
    auth: authSetting(input, names, unlessUnresolved),
    indexes: { changeLog, mirror, deadLetter },
    keySchema: keySchemaSetting(names.keySchema, input.keySchema),
    ...(isUnset(input.tableName) ? {} : { tableName: String(input.tableName) }),
    maxBulkBytes: checkInteger(names.maxBulkBytes, orDefault(input.maxBulkBytes, FUNCTION_DEFAULTS.maxBulkBytes), {
      min: 64 * 1024,
      max: 100 * 1024 * 1024,
    }),
    requestTimeoutMs: checkInteger(names.requestTimeoutMs, orDefault(input.requestTimeoutMs, FUNCTION_DEFAULTS.requestTimeoutMs), {
      min: 100,
      max: 15 * 60_000,
    }),
    failureReporting: checkOneOf(
      names.failureReporting,
      orDefault(input.failureReporting, FUNCTION_DEFAULTS.failureReporting),
      FAILURE_REPORTING_MODES,
    ),
    changeLogPartitioning: checkOneOf(
      names.changeLogPartitioning,
      orDefault(input.changeLogPartitioning, FUNCTION_DEFAULTS.changeLogPartitioning),
      CHANGE_LOG_PARTITIONINGS,
    ),
    changeLogRetentionDays: checkInteger(
      names.changeLogRetentionDays,
      orDefault(input.changeLogRetentionDays, FUNCTION_DEFAULTS.changeLogRetentionDays),
      { min: 0, max: 36_500 },
    ),
    mirrorShards: checkInteger(names.mirrorShards, orDefault(input.mirrorShards, FUNCTION_DEFAULTS.mirrorShards), { min: 1, max: 1024 }),
    tombstoneRetentionHours: checkInteger(
      names.tombstoneRetentionHours,
      orDefault(input.tombstoneRetentionHours, FUNCTION_DEFAULTS.tombstoneRetentionHours),
      { min: 25, max: 24 * 36_500 },
    ),
  };
}

function authSetting(
  input: FunctionSettingsInput,
  names: SettingNames,
  unlessUnresolved: <T>(value: unknown, check: (value: unknown) => T) => T,
): OpenSearchAuth {
  const mode = checkOneOf(names.authMode, orDefault(input.authMode, FUNCTION_DEFAULTS.authMode), AUTH_MODES);
  switch (mode) {
    case 'none':
      return { mode };
    case 'sigv4':
      return {
        mode,
        service: checkOneOf(names.signingService, orDefault(input.signingService, FUNCTION_DEFAULTS.signingService), SIGNING_SERVICES),
        region: unlessUnresolved(
          required(names.signingRegion, input.signingRegion, 'the region of the OpenSearch domain or collection, such as eu-west-1'),
          (value) => checkName(names.signingRegion, value, /^[a-z]{2}(-[a-z]+)+-\d+$/, 'must be an AWS region, such as eu-west-1'),
        ),
      };
    case 'basic':
      return {
        mode,
        secretArn: unlessUnresolved(
          required(
            names.basicAuthSecretArn,
            input.basicAuthSecretArn,
            'the ARN of a Secrets Manager secret holding {"username","password"}',
          ),
          (value) =>
            checkName(
              names.basicAuthSecretArn,
              value,
              /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/,
              'must be the ARN of a Secrets Manager secret (arn:aws:secretsmanager:region:account:secret:name)',
            ),
        ),
      };
  }
}

/** The function's environment for these settings. */
export function toFunctionEnvironment(settings: FunctionSettings): Record<string, string> {
  return {
    [ENVIRONMENT.openSearchEndpoint]: settings.openSearchEndpoint,
    [ENVIRONMENT.changeLogIndex]: settings.indexes.changeLog,
    [ENVIRONMENT.mirrorIndex]: settings.indexes.mirror,
    [ENVIRONMENT.deadLetterIndex]: settings.indexes.deadLetter,
    [ENVIRONMENT.keySchema]: formatKeySchema(settings.keySchema),
    ...(settings.tableName === undefined ? {} : { [ENVIRONMENT.tableName]: settings.tableName }),
    [ENVIRONMENT.maxBulkBytes]: String(settings.maxBulkBytes),
    [ENVIRONMENT.requestTimeoutMs]: String(settings.requestTimeoutMs),
    [ENVIRONMENT.failureReporting]: settings.failureReporting,
    [ENVIRONMENT.authMode]: settings.auth.mode,
    ...(settings.auth.mode === 'sigv4'
      ? { [ENVIRONMENT.signingService]: settings.auth.service, [ENVIRONMENT.signingRegion]: settings.auth.region }
      : {}),
    ...(settings.auth.mode === 'basic' ? { [ENVIRONMENT.basicAuthSecretArn]: settings.auth.secretArn } : {}),
    [ENVIRONMENT.changeLogPartitioning]: settings.changeLogPartitioning,
    [ENVIRONMENT.changeLogRetentionDays]: String(settings.changeLogRetentionDays),
    [ENVIRONMENT.mirrorShards]: String(settings.mirrorShards),
    [ENVIRONMENT.tombstoneRetentionHours]: String(settings.tombstoneRetentionHours),
  };
}

/** The settings of a function from its environment; a bad value names the variable. */
export function fromFunctionEnvironment(env: Readonly<Record<string, string | undefined>>): FunctionSettings {
  const input = Object.fromEntries(Object.entries(ENVIRONMENT).map(([key, variable]) => [key, env[variable]])) as FunctionSettingsInput;
  return resolveFunctionSettings({ ...input, signingRegion: orDefault(input.signingRegion, env.AWS_REGION) }, ENVIRONMENT);
}

function keySchemaSetting(setting: string, value: unknown): KeySchema {
  if (typeof value === 'object' && value !== null && typeof (value as KeySchema).partitionKey === 'string') {
    return parseKeySchema(formatKeySchema(value as KeySchema), setting);
  }
  return parseKeySchema(required(setting, value, 'the table key, "pk" or "pk,sk"') as string, setting);
}

function orDefault(value: unknown, fallback: unknown): unknown {
  return isUnset(value) ? fallback : value;
}

function required(setting: string, value: unknown, what: string): unknown {
  if (isUnset(value)) throw new SettingError(setting, `is not set; it must be ${what}`);
  return value;
}
