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

/** One mirror's indexes: the alias users query, the concrete index behind it, its tombstones. */
export interface MirrorIndexNames {
  readonly alias: string;
  readonly backing: string;
  readonly tombstones: string;
}

export function mirrorIndexNames(alias: string): MirrorIndexNames {
  return { alias, backing: mirrorBackingIndex(alias), tombstones: tombstoneIndex(alias) };
}

/**
 * The aliases of a pipeline's mirrors, as functions that take IndexNames are given them: the routed
 * mirrors (`mirrorAliases(settings)`), else the one mirror `indexes.mirror`.
 */
export type MirrorAliases = readonly string[];

/** The two templates of one mirror: its backing index's and its tombstones'. */
export function mirrorTemplateNames(alias: string) {
  return { mirror: `cdc-mirror-${alias}`, tombstones: `cdc-tombstones-${alias}` } as const;
}

/**
 * The index templates of a pipeline's own indexes, by name. Both change-log layouts are named (the
 * one found in the cluster wins over the setting), so grants can name every template the function
 * may put. Each mirror's are mirrorTemplateNames.
 */
export function indexTemplateNames(names: IndexNames) {
  return {
    changeLogPartitions: `cdc-change-log-partitions-${names.changeLog}`,
    changeLog: `cdc-change-log-${names.changeLog}`,
    deadLetter: `cdc-dead-letter-${names.deadLetter}`,
  } as const;
}

/** Every index template of a pipeline: the change log's two, each mirror's two, the dead letters'. */
export function everyIndexTemplateName(names: IndexNames, mirrors: MirrorAliases = [names.mirror]): string[] {
  const own = indexTemplateNames(names);
  return [own.changeLogPartitions, own.changeLog, ...mirrors.flatMap((alias) => Object.values(mirrorTemplateNames(alias))), own.deadLetter];
}

/**
 * The index patterns of a pipeline: the change log and its daily partitions, each mirror's three
 * (alias, backing index, tombstones), dead letters.
 */
export function indexPatterns(indexes: IndexNames, mirrors: MirrorAliases = [indexes.mirror]): string[] {
  return [
    ...new Set([
      indexes.changeLog,
      // Daily partitions `${changeLog}-<date>` behind the change-log alias (and the default dead-letter index).
      `${indexes.changeLog}-*`,
      ...mirrors.flatMap((alias) => Object.values(mirrorIndexNames(alias))),
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
