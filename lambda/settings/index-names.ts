/**
 * The indexes of one pipeline, and the names derived from them. Users query the change log and
 * the mirror alias; the others are the pipeline's own.
 */
export interface IndexNames {
  /** One document per change, in the seed's format. */
  readonly changeLog: string;
  /** What users query for the current state of items: an alias over the backing index. */
  readonly mirror: string;
  /** Records OpenSearch refused for good, kept whole with the reason. */
  readonly deadLetter: string;
}

export const DEFAULT_CHANGE_LOG_INDEX = 'dynamodb-cdc';

export function defaultDeadLetterIndex(changeLog: string): string {
  return `${changeLog}-deadletter`;
}

/** The concrete index behind the mirror alias (a new version can be built beside it and swapped in). */
export function mirrorBackingIndex(mirror: string): string {
  return `${mirror}-v1`;
}

/**
 * Where deletes are remembered (the sequence number of each REMOVE), outside the mirror, so a
 * deleted item is gone from every read path while a late, older write still cannot resurrect it.
 */
export function tombstoneIndex(mirror: string): string {
  return `${mirror}-tombstones`;
}
