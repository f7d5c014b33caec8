/**
 * The function's settings: the settings of the table that have an environment variable, checked
 * and shaped for the pipeline. The construct writes them (toFunctionEnvironment), the function
 * reads them (fromFunctionEnvironment), and the CLI discovers them from a deployed function the
 * same way. Names, defaults and rules come from the settings table.
 */
import {
  type ChangeLogRoute,
  type KeySchema,
  type MirrorRoute,
  changeLogPartitionPattern,
  keyNames,
  partitionPatternCatches,
} from '../core';
import { defaultDeadLetterIndex, mirrorBackingIndex, tombstoneIndex, type IndexNames, type MirrorAliases } from './index-names';
import { checkSecureTransport } from './insecure-endpoint';
import { isUnset } from './rules';
import { checkExcludeKeepsKeys } from './routing-rules';
import { checkEnvironmentSize } from './environment-size';
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
  /** The `mirrors` and `changeLog` settings, when either is given; absent, one mirror (`indexes.mirror`) takes every item whole (see mirrorRoutes). */
  readonly routing?: RoutingSettings;
}

/** Filtering, transformation and routing (lambda/core/routing/route.ts). */
export interface RoutingSettings {
  /** Given: these mirrors; `indexes.mirror` is then no mirror of its own unless listed. */
  readonly mirrors?: readonly MirrorRoute[];
  readonly changeLog: ChangeLogRoute;
}

/** The mirrors of these settings: those given, else the one mirror `indexes.mirror` taking every item whole, as without routing. */
export function mirrorRoutes(settings: Pick<FunctionSettings, 'indexes' | 'routing'>): readonly MirrorRoute[] {
  return settings.routing?.mirrors ?? [{ index: settings.indexes.mirror }];
}

/** The alias of each mirror of these settings (mirrorRoutes), for what takes IndexNames and the mirrors' names. */
export function mirrorAliases(settings: Pick<FunctionSettings, 'indexes' | 'routing'>): MirrorAliases {
  return mirrorRoutes(settings).map((mirror) => mirror.index);
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
  const routing = routingSettings(read, input, names);
  const indexes = indexSettings(read, names, routing?.mirrors);
  const keySchema: KeySchema = read.required('keySchema');
  if (routing && !isUnresolved(input.keySchema)) checkExcludeKeepsKeys(names.changeLog, routing.changeLog, keyNames(keySchema));
  return {
    openSearchEndpoint: read.deployTime('openSearchEndpoint'),
    auth: authSetting(read),
    allowInsecureEndpoint: read.value('allowInsecureEndpoint'),
    ...(isUnset(input.operatorRoleArns) ? {} : { operatorRoleArns: read.deployTime('operatorRoleArns') }),
    indexes,
    keySchema,
    ...(isUnset(input.tableName) ? {} : { tableName: read.deployTime('tableName') }),
    maxBulkBytes: read.value('maxBulkBytes'),
    requestTimeoutMs: read.value('requestTimeoutMs'),
    failureReporting: read.value('failureReporting'),
    changeLogPartitioning: read.value('changeLogPartitioning'),
    changeLogRetentionDays: read.value('changeLogRetentionDays'),
    mirrorShards: read.value('mirrorShards'),
    tombstoneRetentionHours: read.value('tombstoneRetentionHours'),
    ...(routing ? { routing } : {}),
  };
}

/** `mirrors` and `changeLog`, when either is given. */
function routingSettings(read: SettingReader, input: FunctionSettingsInput, names: SettingNames): RoutingSettings | undefined {
  if (isUnset(input.mirrors) && isUnset(input.changeLog)) return undefined;
  const changeLog = read.value('changeLog', {});
  if (isUnset(input.mirrors)) return { changeLog };
  const mirrors = read.value('mirrors');
  if (mirrors.length === 0) throw new SettingError(names.mirrors, 'must list at least one mirror', mirrors);
  return { mirrors, changeLog };
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

/** The three index names, and each mirror's two derived ones: no name of the pipeline may be another's. */
function indexSettings(read: SettingReader, names: SettingNames, mirrors?: readonly MirrorRoute[]): IndexNames {
  const changeLog = read.value('changeLogIndex');
  const mirror = read.required('mirrorIndex');
  const deadLetter = read.value('deadLetterIndex', defaultDeadLetterIndex(changeLog));
  const taken = mirrors ? routedMirrorNames(mirrors, names) : mirrorNames(mirror, names.mirrorIndex, '');
  for (const [setting, index] of [
    [names.changeLogIndex, changeLog],
    [names.deadLetterIndex, deadLetter],
  ] as const) {
    const owner = taken.get(index);
    if (owner) throw new SettingError(setting, `must differ from the indexes of ${owner.owner}`, index);
    taken.set(index, { owner: setting, setting });
  }
  // The change log's daily partitions are made by a template of this pattern: it must shape no other index of the pipeline.
  for (const [index, { setting }] of taken) {
    if (index !== changeLog && partitionPatternCatches(changeLog, index)) {
      throw new SettingError(
        setting,
        `makes an index (${index}) that matches ${changeLogPartitionPattern(changeLog)}, the pattern of the change log's daily partitions; choose another name`,
        index,
      );
    }
  }
  return { changeLog, mirror, deadLetter };
}

/** Each index name of the pipeline: who makes it (in messages) and the setting that names it. */
type IndexOwners = Map<string, { readonly owner: string; readonly setting: string }>;

/** A mirror's alias, backing index and tombstones; `which` tells one mirror of several. */
function mirrorNames(mirror: string, setting: string, which: string, owners: IndexOwners = new Map()): IndexOwners {
  owners.set(mirror, { owner: `${setting} (${which}the mirror alias)`, setting });
  owners.set(mirrorBackingIndex(mirror), { owner: `${setting} (${which}its backing index ${mirrorBackingIndex(mirror)})`, setting });
  owners.set(tombstoneIndex(mirror), { owner: `${setting} (${which}its tombstones ${tombstoneIndex(mirror)})`, setting });
  return owners;
}

function routedMirrorNames(mirrors: readonly MirrorRoute[], names: SettingNames): IndexOwners {
  const owners: IndexOwners = new Map();
  for (const mirror of mirrors) mirrorNames(mirror.index, names.mirrors, `mirror ${mirror.index}: `, owners);
  return owners;
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
    mirrors: settings.routing?.mirrors,
    changeLog: settings.routing ? settings.routing.changeLog : undefined,
  };
}

/**
 * The function's environment for these settings, and `extra` variables after them. Lambda takes
 * 4 KB of variables at most: a bigger environment is refused here, naming what takes the room.
 */
export function toFunctionEnvironment(
  settings: FunctionSettings,
  extra: Readonly<Record<string, string>> = {},
  names: SettingNames = PROP_NAMES,
): Record<string, string> {
  const values = settingValues(settings);
  const environment: Record<string, string> = {};
  for (const key of FUNCTION_SETTING_KEYS) {
    const value = values[key];
    if (value !== undefined) environment[ENVIRONMENT[key]] = declaration(key).rule.format(value as never);
  }
  Object.assign(environment, extra);
  checkEnvironmentSize(environment, names);
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
