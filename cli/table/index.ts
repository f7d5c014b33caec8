/** Reading the captured DynamoDB table: its key, counts, single items, and keys as users type them. */
export * from './table-items';
export * from './item-reads';
export * from './item-key';
