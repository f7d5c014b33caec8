/** Re-drive: the SQS dead-letter queue's pointers (read back from the stream) and the dead-letter index, applied again. */
export * from './redrive';
export * from './age-rule';
export * from './queue-redrive';
export * from './dead-letter-redrive';
export * from './stream-range';
