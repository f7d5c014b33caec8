/**
 * The CDK app's settings, from CDK context (cdk.json or `-c key=value`), checked at synth time
 * against the settings contract: a wrong value stops synth with a message that names the context
 * key and what is allowed.
 */
import {
  EVENT_SOURCE_SETTINGS,
  type IntegerSetting,
  CHANGE_LOG_PARTITIONINGS,
  FAILURE_REPORTING_MODES,
  FUNCTION_DEFAULTS,
  type AuthMode,
  type ChangeLogPartitioning,
  type FailureReporting,
  checkEndpoint,
  checkIndexName,
  checkInteger,
  checkName,
  checkOneOf,
  isUnset,
  DEFAULT_NAMES,
  SettingError,
} from '../lambda/settings';
import {
  checkCollectionArn,
  checkCollectionEndpointMatchesArn,
  checkDomainArn,
  checkDomainEndpointMatchesArn,
  checkSecretArn,
} from './aws-endpoints';
import { checkSecureEndpoint } from './endpoint-guard';
import { SCHEDULE_RULE, isScheduleExpression } from './schedule-expression';

/**
 * Where the stack runs (context key `target`). `local`: LocalStack, MiniStack or local engines; plain HTTP and no authentication allowed,
 * throwaway resources allowed, no alarms or schedule. `aws`: a real account; HTTPS and
 * authentication required (unless allowInsecureOpenSearch), data kept, alarms and maintenance on.
 */
export type Platform = 'local' | 'aws';
export const PLATFORMS: readonly Platform[] = ['local', 'aws'];

/** Which OpenSearch the function writes to (context key `openSearch`). */
export type OpenSearchKind = 'endpoint' | 'domain' | 'serverless' | 'basicAuth' | 'newDomain';
export const OPENSEARCH_KINDS: readonly OpenSearchKind[] = ['endpoint', 'domain', 'serverless', 'basicAuth', 'newDomain'];

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
  /** A new domain made by the stack; `openSearchVpc` = `new` or a VPC id places it and the function in a VPC. */
  | { readonly kind: 'newDomain'; readonly vpc?: string };

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
}

export type ContextReader = (key: string) => unknown;

export const DEFAULT_OPENSEARCH_ENDPOINT = 'http://localhost:9200';

export function readAppSettings(context: ContextReader): CdcAppSettings {
  try {
    const get = (key: string, fallback: unknown) => (isUnset(context(key)) ? fallback : context(key));
    const tableName = checkName(
      'tableName',
      get('tableName', DEFAULT_NAMES.tableName),
      /^[a-zA-Z0-9_.-]{3,255}$/,
      'must be 3-255 characters of a-z A-Z 0-9 _ . -',
    );
    const integer = (key: keyof typeof EVENT_SOURCE_SETTINGS) =>
      checkInteger(key, get(key, (EVENT_SOURCE_SETTINGS[key] as IntegerSetting).default), EVENT_SOURCE_SETTINGS[key]);
    const platform = checkOneOf('target', get('target', 'local'), PLATFORMS);
    const onAws = platform === 'aws';
    const removalPolicy = checkOneOf('removalPolicy', get('removalPolicy', 'retain'), ['destroy', 'retain'] as const);
    if (onAws && removalPolicy === 'destroy') {
      throw new SettingError(
        'removalPolicy',
        'must be retain on target aws (the table, queue, logs and domain keep their data); destroy is for local targets',
        removalPolicy,
      );
    }
    const openSearchEndpoint = checkEndpoint('openSearchEndpoint', get('openSearchEndpoint', DEFAULT_OPENSEARCH_ENDPOINT));
    const openSearch = openSearchSettings(get, openSearchEndpoint);
    const allowInsecureOpenSearch = checkBoolean('allowInsecureOpenSearch', get('allowInsecureOpenSearch', false));
    if (onAws && !allowInsecureOpenSearch && openSearch.kind !== 'newDomain') {
      checkSecureEndpoint('openSearchEndpoint', openSearch.endpoint, AUTH_MODE_OF[openSearch.kind], '-c allowInsecureOpenSearch=true');
    }
    const schedule = get('maintenanceSchedule', onAws ? 'rate(1 day)' : 'off');
    return {
      platform,
      openSearch,
      allowInsecureOpenSearch,
      monitoring: checkBoolean('monitoring', get('monitoring', onAws)),
      alarmEmail: isUnset(context('alarmEmail'))
        ? undefined
        : checkName('alarmEmail', context('alarmEmail'), /^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'must be an e-mail address'),
      changeLogPartitioning: checkOneOf(
        'changeLogPartitioning',
        get('changeLogPartitioning', FUNCTION_DEFAULTS.changeLogPartitioning),
        CHANGE_LOG_PARTITIONINGS,
      ),
      changeLogRetentionDays: checkInteger('changeLogRetentionDays', get('changeLogRetentionDays', onAws ? 30 : 0), {
        min: 0,
        max: 36_500,
      }),
      mirrorShards: checkInteger('mirrorShards', get('mirrorShards', FUNCTION_DEFAULTS.mirrorShards), { min: 1, max: 1024 }),
      tombstoneRetentionHours: checkInteger(
        'tombstoneRetentionHours',
        get('tombstoneRetentionHours', FUNCTION_DEFAULTS.tombstoneRetentionHours),
        { min: 25, max: 24 * 36_500 },
      ),
      maintenanceSchedule: schedule === 'off' ? undefined : checkSchedule(schedule),
      tableName,
      functionName: checkName(
        'functionName',
        get('functionName', DEFAULT_NAMES.functionName),
        /^[a-zA-Z0-9_-]{1,64}$/,
        'must be 1-64 characters of a-z A-Z 0-9 _ -',
      ),
      dlqName: checkName(
        'dlqName',
        get('dlqName', DEFAULT_NAMES.deadLetterQueueName),
        /^[a-zA-Z0-9_-]{1,80}$/,
        'must be 1-80 characters of a-z A-Z 0-9 _ -',
      ),
      openSearchEndpoint,
      changeLogIndex: checkIndexName('changeLogIndex', get('changeLogIndex', DEFAULT_NAMES.changeLogIndex)),
      mirrorIndex: checkIndexName('mirrorIndex', get('mirrorIndex', tableName.toLowerCase())),
      deadLetterIndex: isUnset(context('deadLetterIndex')) ? undefined : checkIndexName('deadLetterIndex', context('deadLetterIndex')),
      batchSize: integer('batchSize'),
      retryAttempts: integer('retryAttempts'),
      maxRecordAgeSeconds: integer('maxRecordAgeSeconds'),
      maxBatchingWindowSeconds: integer('maxBatchingWindowSeconds'),
      parallelizationFactor: integer('parallelizationFactor'),
      failureReporting: checkOneOf('failureReporting', get('failureReporting', 'partial'), FAILURE_REPORTING_MODES),
      removalPolicy,
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

const AUTH_MODE_OF: Record<Exclude<OpenSearchKind, 'newDomain'>, AuthMode> = {
  endpoint: 'none',
  domain: 'sigv4',
  serverless: 'sigv4',
  basicAuth: 'basic',
};

function openSearchSettings(get: (key: string, fallback: unknown) => unknown, endpoint: string): OpenSearchSettings {
  const kind = checkOneOf('openSearch', get('openSearch', 'endpoint'), OPENSEARCH_KINDS);
  const required = (key: string, what: string): unknown => {
    const value = get(key, undefined);
    if (isUnset(value)) throw new SettingError(key, `is required with openSearch=${kind}; it must be ${what}`);
    return value;
  };
  switch (kind) {
    case 'endpoint':
      return { kind, endpoint };
    case 'domain': {
      const domainArn = checkDomainArn(
        'openSearchDomainArn',
        required('openSearchDomainArn', 'the domain ARN, arn:aws:es:region:account:domain/name'),
      );
      checkDomainEndpointMatchesArn(endpoint, domainArn, {
        endpoint: 'openSearchEndpoint',
        arn: 'openSearchDomainArn',
        kind: 'openSearch=domain',
      });
      return { kind, endpoint, domainArn };
    }
    case 'serverless': {
      const collectionArn = checkCollectionArn('openSearchCollectionArn', required('openSearchCollectionArn', 'the collection ARN'));
      const collectionName = checkName(
        'openSearchCollectionName',
        required('openSearchCollectionName', 'the collection name'),
        /^[a-z][a-z0-9-]{2,31}$/,
        'must be 3-32 characters of a-z 0-9 -, starting with a letter',
      );
      checkCollectionEndpointMatchesArn(endpoint, collectionArn, {
        endpoint: 'openSearchEndpoint',
        arn: 'openSearchCollectionArn',
        kind: 'openSearch=serverless',
      });
      return { kind, endpoint, collectionArn, collectionName };
    }
    case 'basicAuth':
      return {
        kind,
        endpoint,
        secretArn: checkSecretArn(
          'openSearchSecretArn',
          required('openSearchSecretArn', 'the ARN of a Secrets Manager secret holding {"username","password"}'),
        ),
      };
    case 'newDomain': {
      const vpc = get('openSearchVpc', undefined);
      return {
        kind,
        vpc: isUnset(vpc)
          ? undefined
          : checkName('openSearchVpc', vpc, /^(new|vpc-[0-9a-f]{8,17})$/, 'must be new (a VPC made by the stack) or a VPC id, vpc-...'),
      };
    }
  }
}

function checkSchedule(value: unknown): string {
  if (typeof value !== 'string' || !isScheduleExpression(value))
    throw new SettingError('maintenanceSchedule', `${SCHEDULE_RULE}; or off`, value);
  return value;
}

function checkBoolean(setting: string, value: unknown): boolean {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new SettingError(setting, 'must be true or false', value);
}
