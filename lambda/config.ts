/**
 * The handler's settings, read once from its environment. A wrong value stops the handler with
 * a message naming the variable, before any record is touched.
 */
import { parseKeySchema, type KeySchema } from './core/document-id';
import { defaultDeadLetterIndex, mirrorBackingIndex, validateIndexName, type IndexNames } from './core/index-layout';
import type { ApplySettings } from './sync/apply-changes';

export interface HandlerConfig {
  readonly openSearchEndpoint: string;
  readonly indexes: IndexNames;
  readonly keySchema: KeySchema;
  readonly maxBulkBytes: number;
  readonly requestTimeoutMs: number;
  /** `partial`: return failed records; `error`: throw so the whole batch is retried. */
  readonly failureReporting: 'partial' | 'error';
}

export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

export function loadConfig(env: Record<string, string | undefined>): HandlerConfig {
  const changeLog = named('CHANGE_LOG_INDEX', () => validateIndexName(env.CHANGE_LOG_INDEX ?? 'dynamodb-cdc', 'CHANGE_LOG_INDEX'));
  return {
    openSearchEndpoint: named('OPENSEARCH_ENDPOINT', () => parseEndpoint(env.OPENSEARCH_ENDPOINT)),
    indexes: {
      changeLog,
      mirror: named('MIRROR_INDEX', () => validateIndexName(required(env.MIRROR_INDEX, 'the mirror alias, e.g. test-table'), 'MIRROR_INDEX')),
      deadLetter: named('DEAD_LETTER_INDEX', () =>
        validateIndexName(env.DEAD_LETTER_INDEX ?? defaultDeadLetterIndex(changeLog), 'DEAD_LETTER_INDEX'),
      ),
    },
    keySchema: named('KEY_SCHEMA', () => parseKeySchema(required(env.KEY_SCHEMA, 'the table key, "pk" or "pk,sk"'))),
    maxBulkBytes: named('MAX_BULK_BYTES', () => positiveInteger(env.MAX_BULK_BYTES, 9 * 1024 * 1024)),
    requestTimeoutMs: named('REQUEST_TIMEOUT_MS', () => positiveInteger(env.REQUEST_TIMEOUT_MS, 30_000)),
    failureReporting: named('FAILURE_REPORTING', () => oneOf(env.FAILURE_REPORTING, 'partial', ['partial', 'error'] as const)),
  };
}

/** What applyChanges needs, from the handler's settings (the function and re-drive share it). */
export function applySettingsFrom(config: HandlerConfig): ApplySettings {
  return {
    changeLogIndex: config.indexes.changeLog,
    mirrorIndex: mirrorBackingIndex(config.indexes.mirror),
    deadLetterIndex: config.indexes.deadLetter,
    keySchema: config.keySchema,
    maxBulkBytes: config.maxBulkBytes,
    maxConflictRounds: 3,
  };
}

function named<T>(variable: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    const message = (error as Error).message;
    throw new ConfigurationError(message.startsWith(variable) ? message : `${variable}: ${message}`);
  }
}

function required(value: string | undefined, what: string): string {
  if (value === undefined || value.trim() === '') throw new Error(`not set; it must be ${what}`);
  return value.trim();
}

function parseEndpoint(value: string | undefined): string {
  const text = required(value, 'the OpenSearch URL, e.g. http://localhost:9200');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`${JSON.stringify(text)} is not a URL; it must look like http://localhost:9200`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${JSON.stringify(text)} must use http or https`);
  }
  return text.replace(/\/+$/, '');
}

function positiveInteger(value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new Error(`${JSON.stringify(value)} must be a positive integer`);
  return parsed;
}

function oneOf<T extends string>(value: string | undefined, fallback: T, allowed: readonly T[]): T {
  if (value === undefined || value.trim() === '') return fallback;
  if (!allowed.includes(value.trim() as T)) throw new Error(`${JSON.stringify(value)} must be one of ${allowed.join(', ')}`);
  return value.trim() as T;
}
