/**
 * Writing the table's state into the mirror from the CLI, through the pipeline's own code path:
 * scanned items as snapshots (backfill), corrections as repairs (verify --repair, redrive), each
 * applied with retries.
 */
export * from './apply-with-retries';
export * from './snapshot-record';
export * from './repair';
export * from './mirror-repairs';
export * from './item-belongs';
