/**
 * The indexes the pipeline writes, and the templates that shape them.
 *
 * - change log (`dynamodb-cdc`): images in DynamoDB JSON, which cannot conflict between items
 *   (each type has its own key: `name.S`, `name.N`), so they are mapped dynamically, every string
 *   as a keyword (searchable by path, `data.name.S: ...`; values over 8191 characters are kept in
 *   `_source` but not indexed, as Lucene refuses terms over 32 KB). Keys are one `flat_object`.
 * - mirror: plain JSON per item in a backing index `<mirror>-v1`, read through the alias
 *   `<mirror>`, whose filter hides tombstones (deleted items kept for ordering). Dates are not
 *   guessed from strings, every number is a double and malformed values are skipped by the
 *   index, so items of different shapes rarely conflict (dotted attribute names are object paths);
 *   `_source` still holds every number exactly. What still cannot be indexed (a list mixing strings,
 *   numbers or maps, an attribute that is a map in one item and a string in another) is dead-lettered.
 * - dead letters (`<change log>-deadletter`): `dynamic: false`, so any failed record fits.
 */
import { MIRROR_METADATA_FIELD } from './mirror-document';

export interface IndexNames {
  readonly changeLog: string;
  /** What users query: an alias over the backing index. */
  readonly mirror: string;
  readonly deadLetter: string;
}

export function mirrorBackingIndex(mirror: string): string {
  return `${mirror}-v1`;
}

export function defaultDeadLetterIndex(changeLog: string): string {
  return `${changeLog}-deadletter`;
}

export interface IndexTemplate {
  readonly name: string;
  readonly body: Record<string, unknown>;
}

/** One shard is plenty for CDC volumes; replicas follow the cluster (0 on one node, 1 otherwise). */
const BASE_SETTINGS = { number_of_shards: 1, number_of_replicas: 0, 'index.auto_expand_replicas': '0-1' };

const IMAGE_FIELDS = ['data', 'new_data', 'old_data', 'deleted_data'];

export function indexTemplates(names: IndexNames): IndexTemplate[] {
  return [
    {
      name: `cdc-change-log-${names.changeLog}`,
      body: {
        index_patterns: [names.changeLog],
        priority: 500,
        template: {
          // DynamoDB JSON doubles the nesting of an item (32 levels allowed): room for 66 and more.
          settings: {
            ...BASE_SETTINGS,
            'index.mapping.depth.limit': 100,
            'index.mapping.total_fields.limit': 10000,
          },
          mappings: {
            dynamic: true,
            date_detection: false,
            numeric_detection: false,
            dynamic_templates: [{ dynamodb_json_strings: { match_mapping_type: 'string', mapping: { type: 'keyword', ignore_above: 8191 } } }],
            properties: {
              event_name: { type: 'keyword' },
              timestamp: { type: 'date' },
              processed_at: { type: 'date' },
              event_id: { type: 'keyword' },
              sequence_number: { type: 'keyword' },
              table_name: { type: 'keyword' },
              ttl_expired: { type: 'boolean' },
              user_identity: { properties: { type: { type: 'keyword' }, principal_id: { type: 'keyword' } } },
              keys: { type: 'flat_object' },
              ...Object.fromEntries(IMAGE_FIELDS.map((field) => [field, { type: 'object', dynamic: true }])),
            },
          },
        },
      },
    },
    {
      name: `cdc-mirror-${names.mirror}`,
      body: {
        index_patterns: [mirrorBackingIndex(names.mirror)],
        priority: 500,
        template: {
          settings: {
            ...BASE_SETTINGS,
            'index.mapping.total_fields.limit': 5000,
            'index.mapping.depth.limit': 100,
            // A value that does not fit its field's type (text in a number field) is kept in
            // `_source` and left out of the index, instead of refusing the whole item.
            'index.mapping.ignore_malformed': true,
          },
          aliases: {
            [names.mirror]: {
              is_write_index: true,
              filter: { bool: { must_not: { term: { [`${MIRROR_METADATA_FIELD}.deleted`]: true } } } },
            },
          },
          mappings: {
            date_detection: false,
            numeric_detection: false,
            dynamic_templates: [
              { exact_numbers_as_double: { match_mapping_type: 'long', mapping: { type: 'double' } } },
              { decimals_as_double: { match_mapping_type: 'double', mapping: { type: 'double' } } },
            ],
            properties: {
              [MIRROR_METADATA_FIELD]: {
                properties: {
                  sequence_number: { type: 'keyword' },
                  event_id: { type: 'keyword' },
                  event_name: { type: 'keyword' },
                  timestamp: { type: 'date' },
                  deleted: { type: 'boolean' },
                },
              },
            },
          },
        },
      },
    },
    {
      name: `cdc-dead-letter-${names.deadLetter}`,
      body: {
        index_patterns: [names.deadLetter],
        priority: 500,
        template: {
          settings: BASE_SETTINGS,
          mappings: {
            dynamic: false,
            properties: {
              failed_at: { type: 'date' },
              target: { type: 'keyword' },
              target_index: { type: 'keyword' },
              document_id: { type: 'keyword' },
              error_type: { type: 'keyword' },
              reason: { type: 'text' },
              status: { type: 'integer' },
              event_id: { type: 'keyword' },
              event_name: { type: 'keyword' },
              sequence_number: { type: 'keyword' },
              table_name: { type: 'keyword' },
              keys: { type: 'keyword', ignore_above: 2048 },
              record_json: { type: 'keyword', index: false, doc_values: false },
            },
          },
        },
      },
    },
  ];
}

/** OpenSearch's rules for index (and alias) names, with the setting named in the error. */
export function validateIndexName(name: string, setting: string): string {
  const problems: string[] = [];
  if (name.length === 0) problems.push('it is empty');
  if (name !== name.toLowerCase()) problems.push('it must be lowercase');
  if (/[\\/*?"<>| ,#:]/.test(name)) problems.push('it must not contain \\ / * ? " < > | space , # :');
  if (/^[-_+]/.test(name)) problems.push('it must not start with -, _ or +');
  if (name === '.' || name === '..') problems.push('it must not be . or ..');
  if (Buffer.byteLength(name, 'utf8') > 255) problems.push('it must be at most 255 bytes');
  if (problems.length > 0) {
    throw new Error(`${setting} ${JSON.stringify(name)} is not a valid OpenSearch index name: ${problems.join('; ')}`);
  }
  return name;
}
