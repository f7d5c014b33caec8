/**
 * The app's settings, from CDK context (cdk.json or `-c key=value`), checked at synth time.
 * A wrong value stops synth with a message that names the setting and what is allowed.
 */
export interface CdcAppConfig {
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
  readonly failureReporting: 'partial' | 'error';
  /** `destroy` for throwaway local stacks, `retain` (default) keeps table, queue and logs. */
  readonly removalPolicy: 'destroy' | 'retain';
}

export type ContextReader = (key: string) => unknown;

export class ConfigError extends Error {
  constructor(key: string, problem: string, got: unknown) {
    super(`CDK context "${key}" ${problem}, got ${JSON.stringify(got)}. Set it in cdk.json or with -c ${key}=...`);
    this.name = 'ConfigError';
  }
}

export function readConfig(context: ContextReader): CdcAppConfig {
  const tableName = text(context, 'tableName', 'test-table', /^[a-zA-Z0-9_.-]{3,255}$/, 'must be 3-255 characters of a-z A-Z 0-9 _ . -');
  return {
    tableName,
    functionName: text(context, 'functionName', 'dynamodb-cdc-handler', /^[a-zA-Z0-9_-]{1,64}$/, 'must be 1-64 characters of a-z A-Z 0-9 _ -'),
    dlqName: text(context, 'dlqName', 'dynamodb-cdc-dlq', /^[a-zA-Z0-9_-]{1,80}$/, 'must be 1-80 characters of a-z A-Z 0-9 _ -'),
    openSearchEndpoint: text(context, 'openSearchEndpoint', 'http://localhost:9200', /^https?:\/\/[^\s/]+\/?$/, 'must be an http(s) URL such as http://localhost:9200'),
    changeLogIndex: text(context, 'changeLogIndex', 'dynamodb-cdc', /^[a-z0-9][a-z0-9._-]*$/, 'must be a lowercase OpenSearch index name'),
    mirrorIndex: text(context, 'mirrorIndex', tableName.toLowerCase(), /^[a-z0-9][a-z0-9._-]*$/, 'must be a lowercase OpenSearch index name'),
    deadLetterIndex: optionalText(context, 'deadLetterIndex', /^[a-z0-9][a-z0-9._-]*$/, 'must be a lowercase OpenSearch index name'),
    batchSize: integer(context, 'batchSize', 100, 1, 10_000),
    retryAttempts: integer(context, 'retryAttempts', 10, 0, 10_000),
    maxRecordAgeSeconds: integer(context, 'maxRecordAgeSeconds', 86_400, 60, 604_800),
    maxBatchingWindowSeconds: integer(context, 'maxBatchingWindowSeconds', 0, 0, 300),
    parallelizationFactor: integer(context, 'parallelizationFactor', 1, 1, 10),
    failureReporting: oneOf(context, 'failureReporting', 'partial', ['partial', 'error'] as const),
    removalPolicy: oneOf(context, 'removalPolicy', 'retain', ['destroy', 'retain'] as const),
  };
}

function text(context: ContextReader, key: string, fallback: string, pattern: RegExp, rule: string): string {
  return optionalText(context, key, pattern, rule) ?? fallback;
}

function optionalText(context: ContextReader, key: string, pattern: RegExp, rule: string): string | undefined {
  const value = context(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !pattern.test(value)) throw new ConfigError(key, rule, value);
  return value;
}

function integer(context: ContextReader, key: string, fallback: number, min: number, max: number): number {
  const value = context(key);
  if (value === undefined || value === null || value === '') return fallback;
  const parsed = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new ConfigError(key, `must be an integer from ${min} to ${max}`, value);
  }
  return parsed;
}

function oneOf<T extends string>(context: ContextReader, key: string, fallback: T, allowed: readonly T[]): T {
  const value = context(key);
  if (value === undefined || value === null || value === '') return fallback;
  if (!allowed.includes(value as T)) throw new ConfigError(key, `must be one of ${allowed.join(', ')}`, value);
  return value as T;
}
