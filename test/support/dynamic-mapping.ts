/**
 * OpenSearch 2.19's dynamic mapping with the mirror's settings (`ignore_malformed`, numbers as
 * double, strings as text with a `.keyword`), as measured on the engine (docs/limits.md), for the
 * in-memory engine. Written apart from the pipeline's own decision (lambda/core/mirror-fields.ts),
 * so a test of one against the other can fail.
 */
import type { FieldKind, MappedFields } from '../../lambda/core/mirror-fields';

type Kind = 'object' | 'text' | 'number' | 'boolean' | 'disabled';

export interface Taken {
  /** Why the whole document is refused (OpenSearch's words), if it is. */
  readonly refused?: string;
  readonly errorType: string;
  /** Paths whose value the index left out without a trace. */
  readonly skipped: string[];
  /** Paths whose value the index left out and listed in `_ignored`. */
  readonly ignored: string[];
}

class Refusal extends Error {
  constructor(
    message: string,
    readonly errorType = 'mapper_parsing_exception',
  ) {
    super(message);
  }
}

export class DynamicMapping {
  readonly kinds = new Map<string, Kind>([
    ['_cdc', 'object'],
    ['_cdc.sequence_number', 'text'],
    ['_cdc.event_id', 'text'],
    ['_cdc.event_name', 'text'],
    ['_cdc.timestamp', 'text'],
    ['_cdc.manual', 'boolean'],
    ['_cdc.unindexed', 'disabled'],
    ['_cdc.unindexed_reason', 'text'],
  ]);
  /** As OpenSearch counts (keyword fields of `_cdc` have no multi-field). */
  count = 8;

  constructor(readonly limit: number) {}

  clone(): DynamicMapping {
    return this.withLimit(this.limit);
  }

  /** With another limit (as an operator sets `index.mapping.total_fields.limit`). */
  withLimit(limit: number): DynamicMapping {
    const copy = new DynamicMapping(limit);
    for (const [path, kind] of this.kinds) copy.kinds.set(path, kind);
    copy.count = this.count;
    return copy;
  }

  fields(): MappedFields {
    const kinds = new Map<string, FieldKind>([...this.kinds].map(([path, kind]) => [path, kind === 'disabled' ? 'other' : kind]));
    return { kinds, count: this.count, limit: this.limit };
  }

  /** Maps what a document brings, or refuses it whole (then nothing is mapped). */
  take(document: Record<string, unknown>): Taken {
    const added = new Map<string, Kind>();
    const taken = { skipped: [] as string[], ignored: [] as string[] };
    try {
      this.object('', document, added, taken);
      const count = this.count + [...added.values()].reduce((sum, kind) => sum + (kind === 'text' ? 2 : 1), 0);
      if (count > this.limit) throw new Refusal(`Limit of total fields [${this.limit}] has been exceeded`, 'illegal_argument_exception');
      for (const [path, kind] of added) this.kinds.set(path, kind);
      this.count = count;
      return { ...taken, errorType: '' };
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      return { refused: `${error.errorType}: ${error.message}`, errorType: error.errorType, skipped: [], ignored: [] };
    }
  }

  private object(parent: string, value: Record<string, unknown>, added: Map<string, Kind>, taken: Omit<Taken, 'errorType'>): void {
    for (const [name, inner] of Object.entries(value)) {
      const segments = name.split('.');
      let path = parent;
      for (const segment of segments.slice(0, -1)) {
        path = path ? `${path}.${segment}` : segment;
        const kind = this.kinds.get(path) ?? added.get(path);
        if (kind === undefined) added.set(path, 'object');
        else if (kind !== 'object')
          throw new Refusal(`Could not dynamically add mapping for field [${name}]. Existing mapping for [${path}] must be of type object`);
      }
      const last = segments[segments.length - 1];
      this.value(path ? `${path}.${last}` : last, inner, added, taken);
    }
  }

  private value(path: string, value: unknown, added: Map<string, Kind>, taken: Omit<Taken, 'errorType'>): void {
    if (value === null) return;
    if (Array.isArray(value)) return value.forEach((element) => this.value(path, element, added, taken));
    const kind: Kind =
      typeof value === 'string' ? 'text' : typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'object';
    const mapped = this.kinds.get(path);
    if (mapped === undefined) {
      const first = added.get(path);
      if (first !== undefined && first !== kind)
        throw new Refusal(`mapper [${path}] cannot be changed from type [${first}] to [${kind}]`, 'illegal_argument_exception');
      added.set(path, kind);
      if (kind === 'object') this.object(path, value as Record<string, unknown>, added, taken);
      return;
    }
    if (mapped === 'disabled') return;
    if (mapped === 'object') {
      if (kind !== 'object')
        throw new Refusal(`object mapping for [${path}] tried to parse field [${path}] as object, but found a concrete value`);
      return this.object(path, value as Record<string, unknown>, added, taken);
    }
    if (kind === 'object') return void taken.skipped.push(path);
    if (mapped === 'boolean' && !(kind === 'boolean' || value === 'true' || value === 'false' || value === ''))
      return void taken.skipped.push(path);
    if (mapped === 'number' && (kind === 'boolean' || (kind === 'text' && Number.isNaN(Number(value))))) taken.ignored.push(path);
  }
}
