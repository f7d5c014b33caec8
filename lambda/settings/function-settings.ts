/**
 * The function's settings: the one place that knows their environment variable names, defaults,
 * parsing and serialising. The construct writes them (toFunctionEnvironment), the function reads
 * them (fromFunctionEnvironment), and the CLI discovers them from a deployed function the same way.
 */
import { parseKeySchema, formatKeySchema, type KeySchema } from '../core/document-id';
import { defaultDeadLetterIndex, DEFAULT_CHANGE_LOG_INDEX, mirrorBackingIndex, tombstoneIndex, type IndexNames } from './index-names';
import { checkEndpoint, checkIndexName, checkInteger, checkOneOf, isUnset } from './rules';
import { SettingError } from './setting-error';

export type FailureReporting = 'partial' | 'error';
export const FAILURE_REPORTING_MODES: readonly FailureReporting[] = ['partial', 'error'];

export interface FunctionSettings {
  readonly openSearchEndpoint: string;
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
} as const;

export const FUNCTION_DEFAULTS = {
  changeLogIndex: DEFAULT_CHANGE_LOG_INDEX,
  maxBulkBytes: 9 * 1024 * 1024,
  requestTimeoutMs: 30_000,
  failureReporting: 'partial' as FailureReporting,
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
  for (const [setting, index] of [[names.changeLogIndex, changeLog], [names.deadLetterIndex, deadLetter]] as const) {
    const owner = taken.get(index);
    if (owner) throw new SettingError(setting, `must differ from the indexes of ${owner}`, index);
    taken.set(index, setting);
  }
  return {
    openSearchEndpoint: isUnresolved(input.openSearchEndpoint) ? (input.openSearchEndpoint as string) : checkEndpoint(names.openSearchEndpoint, input.openSearchEndpoint),
    indexes: { changeLog, mirror, deadLetter },
    keySchema: keySchemaSetting(names.keySchema, input.keySchema),
    ...(isUnset(input.tableName) ? {} : { tableName: String(input.tableName) }),
    maxBulkBytes: checkInteger(names.maxBulkBytes, orDefault(input.maxBulkBytes, FUNCTION_DEFAULTS.maxBulkBytes), { min: 64 * 1024, max: 100 * 1024 * 1024 }),
    requestTimeoutMs: checkInteger(names.requestTimeoutMs, orDefault(input.requestTimeoutMs, FUNCTION_DEFAULTS.requestTimeoutMs), { min: 100, max: 15 * 60_000 }),
    failureReporting: checkOneOf(names.failureReporting, orDefault(input.failureReporting, FUNCTION_DEFAULTS.failureReporting), FAILURE_REPORTING_MODES),
  };
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
  };
}

/** The settings of a function from its environment; a bad value names the variable. */
export function fromFunctionEnvironment(env: Readonly<Record<string, string | undefined>>): FunctionSettings {
  const input = Object.fromEntries(Object.entries(ENVIRONMENT).map(([key, variable]) => [key, env[variable]])) as FunctionSettingsInput;
  return resolveFunctionSettings(input, ENVIRONMENT);
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
