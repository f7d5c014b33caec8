/**
 * The pure core: a stream record in, typed documents, ids, ordering decisions and writes out. No
 * I/O, no settings, no wire format.
 */
export * from './change-record';
export * from './change-log-document';
export * from './change-log-partitions';
export * from './mirror-document';
export * from './mirror-fields';
export * from './dead-letter-document';
export * from './document-id';
export * from './lossless-json';
export * from './sequence-number';
export * from './writes';
export * from './external-version';
export * from './mirror-plan';
export * from './tombstone-purge';
export * from './partition-retention';
export * from './item-compare';
export * from './item-diff';
export * from './end-to-end-lag';
export * from './routing';
