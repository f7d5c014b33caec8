/** Backfill: the table's items copied into the mirror, resumable by its checkpoint. */
export * from './backfill';
export * from './checkpoint';
