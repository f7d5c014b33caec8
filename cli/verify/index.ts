/** Verify: the table compared with the mirror, item by item. */
export * from './verify';
export * from './routed-checks';
