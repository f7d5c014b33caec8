/**
 * The index templates that shape the pipeline's indexes. Every mapping is bounded whatever a
 * table holds: no attribute name, nesting, value size or number of distinct names can make a
 * write fail (what an index cannot take is kept unindexed in `_source`, see the documents).
 *
 * - change log: the change-log document's fields; each image (`data`, `new_data`, `old_data`, `deleted_data`)
 *   and `keys` is one `flat_object` (search by path, `data.name.S:...`, values as exact text).
 *   Partitioned daily, the template shapes every `<changeLog>-YYYY.MM.DD` and puts it in the alias
 *   `<changeLog>`, so a partition auto-created by its first write is searchable at once under the
 *   change log's name; unpartitioned, it shapes the one index of that name.
 * - mirror shards: `number_of_shards` of `<alias>-v1` applies when the index is created only.
 * - each mirror `<alias>-v1` (the one mirror of the settings, or each routed one): plain JSON per
 *   item, dynamically mapped: dates are not guessed, every number is a double, a value that does
 *   not fit its field's type is skipped by the index; at most 5,000 fields (new names past that
 *   are kept unindexed, see core/mirror-fields.ts). Its declared `fields` are mapped to their
 *   types up front (declared-fields.ts). Read through the alias.
 * - each mirror's tombstones `<alias>-tombstones`: the sequence number of each deleted item.
 * - dead letters: `dynamic: false`, so any failed record fits.
 */
import { type IndexNames, indexTemplateNames, mirrorIndexNames, mirrorTemplateNames, type ChangeLogPartitioning } from '../../settings';
import { changeLogPartition, changeLogPartitionPattern, IMAGE_FIELDS, MIRROR_METADATA_FIELD, type MirrorRoute } from '../../core';
import { declaredFieldProperties } from './declared-fields';

export interface IndexTemplate {
  readonly name: string;
  readonly body: Record<string, unknown>;
}

/** One shard is plenty for CDC volumes; replicas follow the cluster (0 on one node, 1 otherwise). */
const BASE_SETTINGS = { number_of_shards: 1, number_of_replicas: 0, 'index.auto_expand_replicas': '0-1' };

const MIRROR_BOOKKEEPING = {
  properties: {
    sequence_number: { type: 'keyword' },
    event_id: { type: 'keyword' },
    event_name: { type: 'keyword' },
    timestamp: { type: 'date' },
    manual: { type: 'boolean' },
    unindexed: { type: 'object', enabled: false },
    unindexed_reason: { type: 'text' },
  },
};

export const MIRROR_FIELD_LIMIT = 5000;

/** How the indexes are laid out beyond their names. */
export interface IndexLayout {
  /** @default 'none' (one change-log index named as the change log) */
  readonly changeLogPartitioning?: ChangeLogPartitioning;
  /** @default 1 */
  readonly mirrorShards?: number;
  /** The mirrors (mirrorRoutes of the settings), each with its declared fields. @default the one mirror `indexes.mirror`, nothing declared */
  readonly mirrors?: readonly MirrorRoute[];
}

/** The mirrors of a layout: as given, else the one mirror of the names. */
function mirrorsOf(names: IndexNames, layout: IndexLayout): readonly MirrorRoute[] {
  return layout.mirrors ?? [{ index: names.mirror }];
}

/**
 * One template: a name, the index (or pattern) it shapes, its settings and mappings. Exact names
 * take priority 500. The partitions' pattern takes 100 + the change log's length: below every exact
 * name, and distinct for any two change logs whose patterns overlap (one name extends the other),
 * as OpenSearch refuses overlapping templates of equal priority.
 */
function template(
  name: string,
  index: string,
  settings: Record<string, unknown>,
  mappings: Record<string, unknown>,
  extra: Record<string, unknown> = {},
  priority = 500,
): IndexTemplate {
  return { name, body: { index_patterns: [index], priority, template: { settings, mappings, ...extra } } };
}

/** The pipeline's templates: change log, each mirror's and its tombstones', dead letters (each described above). */
export function indexTemplates(names: IndexNames, layout: IndexLayout = {}): IndexTemplate[] {
  const templateNames = indexTemplateNames(names);
  return [
    changeLogTemplate(names, templateNames, layout),
    ...mirrorsOf(names, layout).flatMap((mirror) => [mirrorTemplate(mirror, layout), tombstoneTemplate(mirror.index)]),
    deadLetterTemplate(names, templateNames),
  ];
}

const KEYWORD = { type: 'keyword' };

type TemplateNames = ReturnType<typeof indexTemplateNames>;

/** The change log: its fields, each image and the keys as one `flat_object`; partitioned, every partition joins the alias. */
function changeLogTemplate(names: IndexNames, templateNames: TemplateNames, layout: IndexLayout): IndexTemplate {
  // Partitioned: every partition joins the alias (the priorities: see template()).
  const changeLog =
    layout.changeLogPartitioning === 'daily'
      ? {
          name: templateNames.changeLogPartitions,
          pattern: changeLogPartitionPattern(names.changeLog),
          extra: { aliases: { [names.changeLog]: {} } },
          priority: 100 + names.changeLog.length,
        }
      : { name: templateNames.changeLog, pattern: names.changeLog, extra: {}, priority: 500 };
  const mappings = {
    dynamic: false,
    properties: {
      event_name: KEYWORD,
      timestamp: { type: 'date' },
      processed_at: { type: 'date' },
      event_id: KEYWORD,
      sequence_number: KEYWORD,
      table_name: KEYWORD,
      ttl_expired: { type: 'boolean' },
      manual: { type: 'boolean' },
      user_identity: { properties: { type: KEYWORD, principal_id: KEYWORD } },
      keys: { type: 'flat_object' },
      ...Object.fromEntries(IMAGE_FIELDS.map((field) => [field, { type: 'flat_object' }])),
      unindexed: { type: 'object', enabled: false },
      unindexed_reason: { type: 'text' },
    },
  };
  return template(changeLog.name, changeLog.pattern, BASE_SETTINGS, mappings, changeLog.extra, changeLog.priority);
}

/** A mirror's backing index `<alias>-v1`: plain JSON, dynamically mapped within bounds, its declared fields typed, written through the alias. */
function mirrorTemplate(mirror: MirrorRoute, layout: IndexLayout): IndexTemplate {
  const settings = {
    ...BASE_SETTINGS,
    number_of_shards: layout.mirrorShards ?? 1,
    'index.mapping.total_fields.limit': MIRROR_FIELD_LIMIT,
    // DynamoDB nests up to 32 levels.
    'index.mapping.depth.limit': 64,
    // A value that does not fit its field's type (text in a number field) is kept in
    // `_source` and left out of the index, instead of refusing the whole item.
    'index.mapping.ignore_malformed': true,
  };
  const mappings = {
    date_detection: false,
    numeric_detection: false,
    dynamic_templates: [
      { exact_numbers_as_double: { match_mapping_type: 'long', mapping: { type: 'double' } } },
      { decimals_as_double: { match_mapping_type: 'double', mapping: { type: 'double' } } },
    ],
    properties: { ...declaredFieldProperties(mirror.fields), [MIRROR_METADATA_FIELD]: MIRROR_BOOKKEEPING },
  };
  const { alias, backing } = mirrorIndexNames(mirror.index);
  return template(mirrorTemplateNames(alias).mirror, backing, settings, mappings, {
    aliases: { [alias]: { is_write_index: true } },
  });
}

/** A mirror's tombstones: the sequence number and time of each deleted item. */
function tombstoneTemplate(alias: string): IndexTemplate {
  return template(mirrorTemplateNames(alias).tombstones, mirrorIndexNames(alias).tombstones, BASE_SETTINGS, {
    dynamic: false,
    properties: { [MIRROR_METADATA_FIELD]: { properties: { sequence_number: KEYWORD, timestamp: { type: 'date' } } } },
  });
}

/** The dead letters: `dynamic: false`, so any failed record fits; the record itself kept whole, unindexed. */
function deadLetterTemplate(names: IndexNames, templateNames: TemplateNames): IndexTemplate {
  return template(templateNames.deadLetter, names.deadLetter, BASE_SETTINGS, {
    dynamic: false,
    properties: {
      failed_at: { type: 'date' },
      target: KEYWORD,
      target_index: KEYWORD,
      document_id: KEYWORD,
      error_type: KEYWORD,
      reason: { type: 'text' },
      status: { type: 'integer' },
      event_id: KEYWORD,
      event_name: KEYWORD,
      sequence_number: KEYWORD,
      table_name: KEYWORD,
      stream_arn: KEYWORD,
      keys: { type: 'keyword', ignore_above: 2048 },
      origin: KEYWORD,
      record_json: { type: 'keyword', index: false, doc_values: false },
    },
  });
}

/**
 * Every concrete index of a pipeline, created up front so the mappings are ours from the first
 * write. Partitioned, that is the partition of `now`: it makes the alias, so the change log answers
 * under its name before anything is written (later partitions are created by their first write).
 */
export function concreteIndexes(names: IndexNames, layout: IndexLayout = {}, now: Date = new Date()): string[] {
  const changeLog = layout.changeLogPartitioning === 'daily' ? changeLogPartition(names.changeLog, now) : names.changeLog;
  const mirrors = mirrorsOf(names, layout).map((mirror) => mirrorIndexNames(mirror.index));
  return [changeLog, ...mirrors.flatMap(({ backing, tombstones }) => [backing, tombstones]), names.deadLetter];
}
