/**
 * The indexes of one pipeline, and the names derived from them. Users query the change log and
 * the mirror alias; the others are the pipeline's own.
 */
export interface IndexNames {
  /** One document per change, in the change-log document format. */
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

/**
 * The index templates that shape a pipeline's indexes, by name. Both change-log layouts are named
 * (the one found in the cluster wins over the setting), so grants can name every template the
 * function may put.
 */
export function indexTemplateNames(names: IndexNames) {
  return {
    changeLogPartitions: `cdc-change-log-partitions-${names.changeLog}`,
    changeLog: `cdc-change-log-${names.changeLog}`,
    mirror: `cdc-mirror-${names.mirror}`,
    tombstones: `cdc-tombstones-${names.mirror}`,
    deadLetter: `cdc-dead-letter-${names.deadLetter}`,
  } as const;
}

/** The index patterns of a pipeline: the change log and its daily partitions, the mirror's three, dead letters. */
export function indexPatterns(indexes: IndexNames): string[] {
  return [
    ...new Set([
      indexes.changeLog,
      // Daily partitions `${changeLog}-<date>` behind the change-log alias (and the default dead-letter index).
      `${indexes.changeLog}-*`,
      indexes.mirror,
      mirrorBackingIndex(indexes.mirror),
      tombstoneIndex(indexes.mirror),
      indexes.deadLetter,
    ]),
  ];
}

/**
 * The OpenSearch role (fine-grained access control) of a pipeline's operators on a new domain:
 * the function puts it and maps the operator IAM roles to it; its grants name it.
 */
export function operatorRoleName(indexes: IndexNames): string {
  return `${indexes.changeLog}-operator`;
}
