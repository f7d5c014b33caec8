/**
 * The CDK app's settings, from CDK context (cdk.json or `-c key=value`), read and checked at synth
 * time by the settings table (each key's default on the target platform, its rule): a wrong value
 * stops synth with a message that names the context key and what is allowed.
 */
import type { ChangeLogRoute, MirrorRoute } from '../lambda/core';
import {
  type AuthMode,
  checkExcludeKeepsKeys,
  type KeyAttribute,
  parseKeyAttribute,
  type ChangeLogPartitioning,
  type ContextSettingKey,
  type FailureReporting,
  type OpenSearchKind,
  type Platform,
  type SettingValue,
  declaration,
  defaultFor,
  isUnset,
  SETTINGS,
  SettingError,
} from '../lambda/settings';
import { checkCollectionEndpointMatchesArn, checkDomainEndpointMatchesArn } from './aws-endpoints';
import { checkSecureEndpoint } from './endpoint-guard';

export { PLATFORMS, OPENSEARCH_KINDS, type OpenSearchKind, type Platform } from '../lambda/settings';

/** The OpenSearch side, from context: one shape per kind. */
export type OpenSearchSettings =
  /** An unauthenticated cluster at `openSearchEndpoint` (local). */
  | { readonly kind: 'endpoint'; readonly endpoint: string }
  /** An Amazon OpenSearch Service domain: `openSearchEndpoint`, `openSearchDomainArn`; SigV4 `es`. */
  | { readonly kind: 'domain'; readonly endpoint: string; readonly domainArn: string }
  /** An OpenSearch Serverless collection: `openSearchEndpoint`, `openSearchCollectionArn`, `openSearchCollectionName`; SigV4 `aoss`. */
  | { readonly kind: 'serverless'; readonly endpoint: string; readonly collectionArn: string; readonly collectionName: string }
  /** A cluster with basic auth: `openSearchEndpoint`, `openSearchSecretArn`. */
  | { readonly kind: 'basicAuth'; readonly endpoint: string; readonly secretArn: string }
  /**
   * A new domain made by the stack; `openSearchVpc` = `new` or a VPC id places it and the function in a VPC;
   * `openSearchOperatorRoleArn` names the IAM roles the function maps to the pipeline's operator role.
   */
  | { readonly kind: 'newDomain'; readonly vpc?: string; readonly operatorRoleArns?: readonly string[] };

export interface CdcAppSettings {
  readonly stackName: string;
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
  /** `local` (default) or `aws`. */
  readonly platform: Platform;
  readonly openSearch: OpenSearchSettings;
  /** Allows http:// and unauthenticated endpoints on `aws` (context `allowInsecureOpenSearch`). */
  readonly allowInsecureOpenSearch: boolean;
  /** Alarms and dashboard: default on for `aws`, off for `local`. */
  readonly monitoring: boolean;
  /** Subscribed to a new alarm topic. */
  readonly alarmEmail?: string;
  readonly changeLogPartitioning: ChangeLogPartitioning;
  /** Default 30 on `aws`, 0 (keep forever) on `local`. */
  readonly changeLogRetentionDays: number;
  readonly mirrorShards: number;
  readonly tombstoneRetentionHours: number;
  /** EventBridge schedule expression of the maintenance event; default `rate(1 day)` on `aws`, none on `local`. `off` turns it off. */
  readonly maintenanceSchedule?: string;
  /** The demo table's partition key (context `partitionKey`, default `id`, a string). */
  readonly partitionKey: KeyAttribute;
  /** The demo table's sort key (context `sortKey`), if it has one. */
  readonly sortKey?: KeyAttribute;
  /** The mirror indexes (context `mirrors`); absent, one mirror, `mirrorIndex`, takes every item whole. */
  readonly mirrors?: readonly MirrorRoute[];
  /** What the change log records and what reaches OpenSearch nowhere (context `changeLog`). */
  readonly changeLog?: ChangeLogRoute;
}

export type ContextReader = (key: string) => unknown;

export function readAppSettings(context: ContextReader): CdcAppSettings {
  try {
    const read = contextSettings(context);
    return {
      platform: read.platform,
      ...readNames(read),
      ...readOpenSearch(read),
      ...readDelivery(read),
      ...readLayoutAndMaintenance(read),
      ...readOperations(read),
      ...readRouting(read),
    };
  } catch (error) {
    if (error instanceof SettingError) {
      throw new SettingError(
        `CDK context "${error.setting}"`,
        error.problem,
        error.value,
        `Set it in cdk.json or with -c ${error.setting}=...`,
      );
    }
    throw error;
  }
}

/** The context keys as the settings table declares them, on the platform of context key `target`. */
interface ContextSettings {
  readonly platform: Platform;
  /** The key's value, else `fallback` (a default the code derives), else its default on this platform; checked by its rule. */
  value<K extends ContextSettingKey>(key: K, fallback?: SettingValue<K>): SettingValue<K>;
  /** The key's value, checked; undefined when it is not given and has no default. */
  optional<K extends ContextSettingKey>(key: K): SettingValue<K> | undefined;
  /** Required here (`openSearch=domain` says why): missing, it is refused with what it must be. */
  required<K extends ContextSettingKey>(key: K, why: string): SettingValue<K>;
}

function contextSettings(context: ContextReader): ContextSettings {
  const given = (key: ContextSettingKey): unknown => context(declaration(key).context!);
  const valueOn = (platform: Platform) =>
    function value<K extends ContextSettingKey>(key: K, fallback?: SettingValue<K>): SettingValue<K> {
      const setting = declaration(key);
      return setting.rule.check(setting.context!, isUnset(given(key)) ? (fallback ?? defaultFor(setting, platform)) : given(key));
    };
  const platform = valueOn('local')('target');
  const value = valueOn(platform);
  return {
    platform,
    value,
    optional: (key) => (isUnset(given(key)) && defaultFor(declaration(key), platform) === undefined ? undefined : value(key)),
    required: (key, why) => {
      const setting = declaration(key);
      if (isUnset(given(key))) throw new SettingError(setting.context!, `is required with ${why}; it must be ${setting.required}`);
      return value(key);
    },
  };
}

function readNames(read: ContextSettings) {
  const tableName = read.value('tableName');
  return {
    stackName: read.value('stackName'),
    tableName,
    functionName: read.value('functionName'),
    dlqName: read.value('deadLetterQueueName'),
    changeLogIndex: read.value('changeLogIndex'),
    mirrorIndex: mirrorIndexFor(read, tableName),
    deadLetterIndex: read.optional('deadLetterIndex'),
  };
}

/** Without mirrorIndex, the table's name in lowercase; when that is no index name, the error says to set mirrorIndex. */
function mirrorIndexFor(read: ContextSettings, tableName: string): string {
  try {
    return read.value('mirrorIndex', tableName.toLowerCase());
  } catch (error) {
    if (!(error instanceof SettingError) || read.optional('mirrorIndex') !== undefined) throw error;
    throw new SettingError(
      SETTINGS.mirrorIndex.context,
      `${error.problem}; without it the mirror is named after tableName "${tableName}" in lowercase, which is no index name: set ${SETTINGS.mirrorIndex.context}`,
      tableName.toLowerCase(),
    );
  }
}

/** Where the function writes; outside a local target only over https and authenticated, unless allowed. */
function readOpenSearch(read: ContextSettings) {
  const openSearchEndpoint = read.value('openSearchEndpoint');
  const openSearch = openSearchSettings(read, openSearchEndpoint);
  const allowInsecureOpenSearch = read.value('allowInsecureEndpoint');
  if (read.platform === 'aws' && !allowInsecureOpenSearch && openSearch.kind !== 'newDomain') {
    checkSecureEndpoint(
      SETTINGS.openSearchEndpoint.context,
      openSearch.endpoint,
      AUTH_MODE_OF[openSearch.kind],
      `-c ${SETTINGS.allowInsecureEndpoint.context}=true`,
    );
  }
  return { openSearchEndpoint, openSearch, allowInsecureOpenSearch };
}

const AUTH_MODE_OF: Record<Exclude<OpenSearchKind, 'newDomain'>, AuthMode> = {
  endpoint: 'none',
  domain: 'sigv4',
  serverless: 'sigv4',
  basicAuth: 'basic',
};

/** The keys of the chosen kind (`openSearch`), each required with it, and the endpoint matching its ARN. */
function openSearchSettings(read: ContextSettings, endpoint: string): OpenSearchSettings {
  const kind = read.value('openSearch');
  const why = `openSearch=${kind}`;
  const operatorRoleArns = read.optional('operatorRoleArns');
  if (operatorRoleArns && kind !== 'newDomain') {
    throw new SettingError(
      declaration('operatorRoleArns').context!,
      `applies with openSearch=newDomain only (the function maps operators on the domain it is master user of), not with ${why}; on a domain of yours, map the role in fine-grained access control yourself`,
      operatorRoleArns.join(','),
    );
  }
  const names = (arn: ContextSettingKey) => ({ endpoint: SETTINGS.openSearchEndpoint.context, arn: declaration(arn).context!, kind: why });
  switch (kind) {
    case 'endpoint':
      return { kind, endpoint };
    case 'domain': {
      const domainArn = read.required('openSearchDomainArn', why);
      checkDomainEndpointMatchesArn(endpoint, domainArn, names('openSearchDomainArn'));
      return { kind, endpoint, domainArn };
    }
    case 'serverless': {
      const collectionArn = read.required('openSearchCollectionArn', why);
      const collectionName = read.required('openSearchCollectionName', why);
      checkCollectionEndpointMatchesArn(endpoint, collectionArn, names('openSearchCollectionArn'));
      return { kind, endpoint, collectionArn, collectionName };
    }
    case 'basicAuth':
      return { kind, endpoint, secretArn: read.required('basicAuthSecretArn', why) };
    case 'newDomain':
      return { kind, vpc: read.optional('openSearchVpc'), ...(operatorRoleArns ? { operatorRoleArns } : {}) };
  }
}

function readDelivery(read: ContextSettings) {
  return {
    batchSize: read.value('batchSize'),
    retryAttempts: read.value('retryAttempts'),
    maxRecordAgeSeconds: read.value('maxRecordAgeSeconds'),
    maxBatchingWindowSeconds: read.value('maxBatchingWindowSeconds'),
    parallelizationFactor: read.value('parallelizationFactor'),
    failureReporting: read.value('failureReporting'),
  };
}

function readLayoutAndMaintenance(read: ContextSettings) {
  const schedule = read.value('maintenanceSchedule');
  return {
    changeLogPartitioning: read.value('changeLogPartitioning'),
    changeLogRetentionDays: read.value('changeLogRetentionDays'),
    mirrorShards: read.value('mirrorShards'),
    tombstoneRetentionHours: read.value('tombstoneRetentionHours'),
    maintenanceSchedule: schedule === 'off' ? undefined : schedule,
  };
}

/** Data on AWS is kept: `destroy` is for local targets. */
function readOperations(read: ContextSettings) {
  const removalPolicy = read.value('removalPolicy');
  if (read.platform === 'aws' && removalPolicy === 'destroy') {
    throw new SettingError(
      SETTINGS.removalPolicy.context,
      'must be retain on target aws (the table, queue, logs and domain keep their data); destroy is for local targets',
      removalPolicy,
    );
  }
  return { removalPolicy, monitoring: read.value('monitoring'), alarmEmail: read.optional('alarmEmail') };
}

/** The demo table's keys, and the routing: the change log's `exclude` may not take a key away. */
function readRouting(read: ContextSettings) {
  const partitionKey = parseKeyAttribute(read.value('partitionKey'), SETTINGS.partitionKey.context);
  const sortText = read.optional('sortKey');
  const sortKey = sortText === undefined ? undefined : parseKeyAttribute(sortText, SETTINGS.sortKey.context);
  if (sortKey?.name === partitionKey.name)
    throw new SettingError(SETTINGS.sortKey.context, 'must name another attribute than partitionKey', sortText);
  const mirrors = read.optional('mirrors');
  const changeLog = read.optional('changeLog');
  if (changeLog) checkExcludeKeepsKeys(SETTINGS.changeLog.context, changeLog, [partitionKey.name, ...(sortKey ? [sortKey.name] : [])]);
  return {
    partitionKey,
    ...(sortKey ? { sortKey } : {}),
    ...(mirrors ? { mirrors } : {}),
    ...(changeLog ? { changeLog } : {}),
  };
}
