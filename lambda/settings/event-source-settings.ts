/**
 * The event source mapping's settings: allowed ranges and defaults (AWS's limits; defaults
 * chosen so a failing batch is retried a bounded number of times and nothing is skipped).
 */
import type { IntegerRange } from './rules';

export interface IntegerSetting extends IntegerRange {
  readonly default: number;
}

export const EVENT_SOURCE_SETTINGS = {
  batchSize: { min: 1, max: 10_000, default: 100 },
  retryAttempts: { min: 0, max: 10_000, default: 10 },
  /** The stream keeps records 24 h: older ones cannot be read back anyway. */
  maxRecordAgeSeconds: { min: 60, max: 604_800, default: 86_400 },
  maxBatchingWindowSeconds: { min: 0, max: 300, default: 0 },
  parallelizationFactor: { min: 1, max: 10, default: 1 },
} as const satisfies Record<string, IntegerSetting>;
