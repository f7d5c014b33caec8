/**
 * The pipeline: a batch of records applied through a SearchPort (change log, mirror, dead
 * letters), its bookkeeping, the response to the event source, and the tombstone purge.
 */
export * from './apply-changes';
export * from './batch-ledger';
export * from './batch-response';
export * from './search-port';
export * from './purge-tombstones';
