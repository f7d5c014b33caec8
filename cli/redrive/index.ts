/** Re-drive: the SQS dead-letter queue's pointers (read back from the stream) and the dead-letter index, applied again. */
export * from './redrive';
export * from './stream-range';
