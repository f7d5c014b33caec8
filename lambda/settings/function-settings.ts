/**
 * The function's settings: the settings of the table that have an environment variable, checked
 * and shaped for the pipeline. The construct writes them (toFunctionEnvironment), the function
 * reads them (fromFunctionEnvironment), and the CLI discovers them from a deployed function the
 * same way. Names, defaults and rules come from the settings table.
 */
import { type KeySchema, changeLogPartitionPattern, partitionPatternCatches } from '../core';
import { defaultDeadLetterIndex, mirrorBackingIndex, tombstoneIndex, type IndexNames } from './index-names';
import { checkSecureTransport } from './insecure-endpoint';
import { isUnset } from './rules';
import { defaultFor } from './setting-declaration';
import { SettingError } from './setting-error';
import {
  declaration,
  ENVIRONMENT,
  FUNCTION_SETTING_KEYS,
  PROP_NAMES,
  type FunctionSettingKey,
  type SettingNames,
  type SettingValue,
} from './setting-keys';
import type { AuthMode, ChangeLogPartitioning, FailureReporting, SigningService } from './setting-values';

export type { AuthMode, ChangeLogPartitioning, FailureReporting, SigningService } from './setting-values';

/** How requests to OpenSearch are authenticated. */
export type OpenSearchAuth =
  /** None: a local cluster, or one that trusts its network. */
  | { readonly mode: 'none' }
  /** AWS Signature V4 with the caller's credentials: `es` for a domain, `aoss` for a serverless collection. */
  | { readonly mode: 'sigv4'; readonly service: SigningService; readonly region: string }
  /** HTTP basic authentication; the user name and password are read from this secret at run time. */
  | { readonly mode: 'basic'; readonly secretArn: string };

export interface FunctionSettings {
  readonly openSearchEndpoint: string;
  readonly auth: OpenSearchAuth;
  /** Plain http is allowed with authentication (else refused at run time: see checkSecureTransport). */
  readonly allowInsecureEndpoint: boolean;
  /** IAM roles the function maps, as master user of a new domain, to the pipeline's operator role; none when absent. */
  readonly operatorRoleArns?: readonly string[];
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

/** What a caller may give, by setting; everything else has a default. Values are checked, names in errors are `names[key]`. */
export type FunctionSettingsInput = { readonly [K in FunctionSettingKey]?: unknown };

/**
 * Checks every setting and fills in the function's defaults; the first bad one throws, named as
 * `names` says. `isUnresolved`: values only known at deploy time (CDK tokens: the endpoint of a
 * domain made in the same app, a secret's ARN) are taken as they are.
 */
export function resolveFunctionSettings(
  input: FunctionSettingsInput,
  names: SettingNames = PROP_NAMES,
  isUnresolved: (value: unknown) => boolean = () => false,
): FunctionSettings {
  const read = settingReader(input, names, isUnresolved);
  const indexes = indexSettings(read, names);
  return {
    openSearchEndpoint: read.deployTime('openSearchEndpoint'),
    auth: authSetting(read),
    allowInsecureEndpoint: read.value('allowInsecureEndpoint'),
    ...(isUnset(input.operatorRoleArns) ? {} : { operatorRoleArns: read.deployTime('operatorRoleArns') }),
    indexes,
    keySchema: read.required('keySchema'),
    ...(isUnset(input.tableName) ? {} : { tableName: read.deployTime('tableName') }),
    maxBulkBytes: read.value('maxBulkBytes'),
    requestTimeoutMs: read.value('requestTimeoutMs'),
    failureReporting: read.value('failureReporting'),
    changeLogPartitioning: read.value('changeLogPartitioning'),
    changeLogRetentionDays: read.value('changeLogRetentionDays'),
    mirrorShards: read.value('mirrorShards'),
    tombstoneRetentionHours: read.value('tombstoneRetentionHours'),
  };
}

type SettingReader = ReturnType<typeof settingReader>;

/** Each setting's value as given, else its default for the function, checked by its rule under its name. */
function settingReader(input: FunctionSettingsInput, names: SettingNames, isUnresolved: (value: unknown) => boolean) {
  const given = (key: FunctionSettingKey, fallback?: unknown): unknown =>
    isUnset(input[key]) ? (fallback ?? defaultFor(declaration(key), 'function')) : input[key];
  const check = <K extends FunctionSettingKey>(key: K, value: unknown) => declaration(key).rule.check(names[key], value);
  return {
    value: <K extends FunctionSettingKey>(key: K, fallback?: unknown): SettingValue<K> => check(key, given(key, fallback)),
    deployTime: <K extends FunctionSettingKey>(key: K): SettingValue<K> => {
      const value = given(key);
      return isUnresolved(value) ? (value as SettingValue<K>) : check(key, value);
    },
    /** Needed here: missing, it is refused with what it must be. */
    required: <K extends FunctionSettingKey>(key: K): SettingValue<K> => {
      const value = given(key);
      if (isUnset(value)) throw new SettingError(names[key], `is not set; it must be ${declaration(key).required}`);
      return isUnresolved(value) ? (value as SettingValue<K>) : check(key, value);
    },
  };
}

/** The three index names, and the mirror's two derived ones: no name of the pipeline may be another's. */
function indexSettings(read: SettingReader, names: SettingNames): IndexNames {
  const changeLog = read.value('changeLogIndex');
  const mirror = read.required('mirrorIndex');
  const deadLetter = read.value('deadLetterIndex', defaultDeadLetterIndex(changeLog));
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
  return { changeLog, mirror, deadLetter };
}

function authSetting(read: SettingReader): OpenSearchAuth {
  const mode: AuthMode = read.value('authMode');
  switch (mode) {
    case 'none':
      return { mode };
    case 'sigv4':
      return { mode, service: read.value('signingService'), region: read.required('signingRegion') };
    case 'basic':
      return { mode, secretArn: read.required('basicAuthSecretArn') };
  }
}

/** Each of the function's settings as one value, undefined where it does not apply (and is not written). */
function settingValues(settings: FunctionSettings): { [K in FunctionSettingKey]: SettingValue<K> | undefined } {
  const { auth } = settings;
  return {
    openSearchEndpoint: settings.openSearchEndpoint,
    authMode: auth.mode,
    signingService: auth.mode === 'sigv4' ? auth.service : undefined,
    signingRegion: auth.mode === 'sigv4' ? auth.region : undefined,
    basicAuthSecretArn: auth.mode === 'basic' ? auth.secretArn : undefined,
    // Written only where it allows something: the run-time guard concerns authenticated requests.
    allowInsecureEndpoint: settings.allowInsecureEndpoint && auth.mode !== 'none' ? true : undefined,
    operatorRoleArns: settings.operatorRoleArns,
    tableName: settings.tableName,
    changeLogIndex: settings.indexes.changeLog,
    mirrorIndex: settings.indexes.mirror,
    deadLetterIndex: settings.indexes.deadLetter,
    keySchema: settings.keySchema,
    failureReporting: settings.failureReporting,
    maxBulkBytes: settings.maxBulkBytes,
    requestTimeoutMs: settings.requestTimeoutMs,
    changeLogPartitioning: settings.changeLogPartitioning,
    changeLogRetentionDays: settings.changeLogRetentionDays,
    mirrorShards: settings.mirrorShards,
    tombstoneRetentionHours: settings.tombstoneRetentionHours,
  };
}

/** The function's environment for these settings. */
export function toFunctionEnvironment(settings: FunctionSettings): Record<string, string> {
  const values = settingValues(settings);
  const environment: Record<string, string> = {};
  for (const key of FUNCTION_SETTING_KEYS) {
    const value = values[key];
    if (value !== undefined) environment[ENVIRONMENT[key]] = declaration(key).rule.format(value as never);
  }
  return environment;
}

/**
 * The settings of a function from its environment; a bad value names the variable (or as `names`
 * says: the CLI names its flags). The construct writes every variable, so the function needs no
 * default of its own: a missing one (the CLI given flags without a deployment) takes the
 * setting's `local` default, the one that deletes nothing. Plain http with authentication is
 * refused here, at container start, unless allowed (checkSecureTransport).
 */
export function fromFunctionEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  names: SettingNames = ENVIRONMENT,
): FunctionSettings {
  const input = Object.fromEntries(FUNCTION_SETTING_KEYS.map((key) => [key, env[ENVIRONMENT[key]]])) as Record<FunctionSettingKey, unknown>;
  const settings = resolveFunctionSettings(
    { ...input, signingRegion: isUnset(input.signingRegion) ? env.AWS_REGION : input.signingRegion },
    names,
  );
  checkSecureTransport(settings, names);
  return settings;
}
