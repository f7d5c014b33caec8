/**
 * What the adapter knows of an index's mapping (the mirror's), kept for the life of its port (a
 * function container keeps one): the kind of every mapped path, how many fields OpenSearch counts,
 * the field limit, and the paths looked for and not found.
 *
 * Read (GET `<index>`: its mappings and field limit in one request) only when a batch brings a
 * path that is neither known nor recently looked for, and after the engine refused a document
 * placed on what was known (forget). The common path reads nothing: a mapped field's type never
 * changes, so a known path stays right for good, and the fields the port's own writes map are
 * learned as they are written. What can go stale is what is not known: a path another writer
 * mapped since (a refusal, then a read, puts that right; so does a path looked for and not found,
 * trusted for ABSENT_TTL_MS only, as a map put where the other writer mapped a scalar would be
 * skipped without a refusal), and the count (a refusal for the limit puts it right). Once the
 * mapping holds its limit, no writer can map a new path, so new paths are known to be absent
 * without a read (a table keyed by ids brings new names in every batch); it is read again after
 * ABSENT_TTL_MS, in case the limit was raised.
 */
import { fieldsOfKind, NO_MAPPED_FIELDS, type FieldKind, type MappedFields } from '../../core';
import { pathOf, statusOf, type SearchTransport } from './search-transport';

/** How long a path looked for and not found is taken as not mapped, without reading again. */
export const ABSENT_TTL_MS = 5 * 60_000;
/** Paths looked for and not found kept at most (a table keyed by ids brings new names without end). */
const MAX_ABSENT = 50_000;
/** OpenSearch's default `index.mapping.total_fields.limit`. */
const DEFAULT_FIELD_LIMIT = 1000;

interface Known {
  readonly kinds: Map<string, FieldKind>;
  count: number;
  readonly limit: number;
  /** Paths looked for and not found: until when that is trusted. */
  readonly absent: Map<string, number>;
  /** Until when a full mapping (count at the limit) is trusted to map no new path. */
  readonly fullUntil: number;
}

export class MappingCache {
  private readonly known = new Map<string, Known>();
  /** Mapping reads so far (figures and tests). */
  reads = 0;

  constructor(
    private readonly transport: SearchTransport,
    private readonly now: () => number = Date.now,
  ) {}

  async mappedFields(index: string, paths: ReadonlySet<string>): Promise<MappedFields> {
    const known = this.known.get(index);
    return known !== undefined && this.covers(known, paths) ? known : this.read(index, paths, known);
  }

  fieldsMapped(index: string, fields: ReadonlyMap<string, FieldKind>): void {
    const known = this.known.get(index);
    if (known === undefined) return;
    for (const [path, kind] of fields) {
      known.absent.delete(path);
      if (known.kinds.has(path)) continue;
      known.kinds.set(path, kind);
      known.count += fieldsOfKind(kind);
    }
  }

  forget(index: string): void {
    this.known.delete(index);
  }

  private covers(known: Known, paths: ReadonlySet<string>): boolean {
    const now = this.now();
    if (known.count >= known.limit && now < known.fullUntil) return true;
    for (const path of paths) if (!known.kinds.has(path) && !((known.absent.get(path) ?? 0) > now)) return false;
    return true;
  }

  private async read(index: string, paths: ReadonlySet<string>, before: Known | undefined): Promise<MappedFields> {
    this.reads++;
    let body: Record<string, { mappings?: { properties?: Properties }; settings?: IndexSettings }>;
    try {
      const response = await this.transport.request<typeof body>({
        method: 'GET',
        path: pathOf(index),
        querystring: { filter_path: ['*.mappings', '*.settings.index.mapping.total_fields.limit'] },
      });
      body = response.body;
    } catch (error) {
      // No index yet: its first write creates it (from the template); nothing mapped to conflict with.
      if (statusOf(error) === 404) return NO_MAPPED_FIELDS;
      throw new Error(`reading the mapping of ${index} failed: ${(error as Error).message}`, { cause: error });
    }
    // Asked by its concrete name: the one index in the answer.
    const [answer] = Object.values(body ?? {});
    const kinds = new Map<string, FieldKind>();
    const count = collectFields(answer?.mappings?.properties ?? {}, '', kinds);
    const limit = Number(answer?.settings?.index?.mapping?.total_fields?.limit ?? DEFAULT_FIELD_LIMIT);
    const until = this.now() + ABSENT_TTL_MS;
    const known: Known = { kinds, count, limit, absent: this.stillAbsent(before, kinds), fullUntil: until };
    for (const path of paths) if (!kinds.has(path)) known.absent.set(path, until);
    this.known.set(index, known);
    return known;
  }

  /** What was looked for and not found before, still not found and still trusted. */
  private stillAbsent(before: Known | undefined, kinds: ReadonlyMap<string, FieldKind>): Map<string, number> {
    const now = this.now();
    if (before === undefined || before.absent.size > MAX_ABSENT) return new Map();
    return new Map([...before.absent].filter(([path, until]) => until > now && !kinds.has(path)));
  }
}

type Properties = Record<string, MappedField>;

interface MappedField {
  readonly type?: string;
  readonly enabled?: boolean;
  readonly properties?: Properties;
  readonly fields?: Record<string, unknown>;
}

interface IndexSettings {
  readonly index?: { readonly mapping?: { readonly total_fields?: { readonly limit?: string } } };
}

/** The kind of every path below `prefix` into `kinds`; returns how many fields OpenSearch counts there (multi-fields too). */
function collectFields(properties: Properties, prefix: string, kinds: Map<string, FieldKind>): number {
  let count = 0;
  for (const [name, field] of Object.entries(properties)) {
    const path = prefix === '' ? name : `${prefix}.${name}`;
    const kind = kindOfField(field);
    kinds.set(path, kind);
    count += 1 + Object.keys(field.fields ?? {}).length;
    if (kind === 'object' && field.properties) count += collectFields(field.properties, path, kinds);
  }
  return count;
}

const TEXT_TYPES = new Set(['text', 'keyword', 'match_only_text', 'wildcard', 'constant_keyword']);
const NUMBER_TYPES = new Set(['long', 'integer', 'short', 'byte', 'double', 'float', 'half_float', 'scaled_float', 'unsigned_long']);

function kindOfField(field: MappedField): FieldKind {
  const type = field.type ?? 'object';
  if (type === 'object' || type === 'nested') return field.enabled === false ? 'other' : 'object';
  if (TEXT_TYPES.has(type)) return 'text';
  if (NUMBER_TYPES.has(type)) return 'number';
  return type === 'boolean' ? 'boolean' : 'other';
}
