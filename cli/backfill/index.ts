/** Backfill: the table's items copied into the mirror, resumable by its checkpoint while it is unfinished. */
export * from './backfill';
export * from './checkpoint';
export * from './start-point';
export * from './backfill-target';
export * from './checkpoint-lock';
