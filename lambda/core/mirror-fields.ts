/**
 * Which root attributes of an item the mirror's mapping can take as they are, given what it
 * already maps: a pure decision (the OpenSearch adapter knows the mapping, the pipeline asks it).
 *
 * OpenSearch 2.19 with the mirror's settings (dynamic mapping, `ignore_malformed`), measured:
 * - a value that is not a map where an object is mapped: the whole item is refused;
 * - a map where text, a number or a boolean is mapped: skipped by the index without any trace (no
 *   `_ignored` entry): the item looks indexed and is not searchable by that attribute;
 * - anything but true, false, "true", "false" or "" where a boolean is mapped: the same;
 * - text or a boolean where a number is mapped: kept in `_source` and listed in `_ignored` (a
 *   trace that says so: left as it is; a number or a boolean where text is mapped is indexed);
 * - two kinds for one path that is not mapped yet, in one item (a list of maps, a dotted name
 *   beside a map): refused;
 * - new fields beyond `index.mapping.total_fields.limit` (objects, leaves and multi-fields such as
 *   `.keyword` all count): refused.
 * Such an attribute moves whole, exactly, to `_cdc.unindexed` with the reason, and the rest stays
 * searchable. Whole root attributes, as `_cdc.unindexed` always held: moving only the sub-paths of
 * a map would make the item a deep merge of two trees (and a list of maps cannot be split by
 * path), where a root name is either at the root or under `_cdc.unindexed`, so
 * `itemOfMirrorDocument` stays a plain, exact inverse.
 *
 * Paths the mirror does not map yet are claimed by the first item of the batch that brings them,
 * as the engine maps them in that order; a later item of the batch with another kind there
 * moves. (Stricter than the engine's rules for mapped paths: with several shards the engine may
 * map a batch's items in another order.)
 */
import { ExactNumber, type LosslessValue } from './lossless-json';

/** What a mapped field can hold, as far as the decision cares; `other`: a type it does not reason about (date, geo_point …). */
export type FieldKind = 'object' | 'text' | 'number' | 'boolean' | 'other';

/** The mirror's mapping as its writer knows it. */
export interface MappedFields {
  /** The kind of each mapped path (dotted, as OpenSearch names fields). */
  readonly kinds: ReadonlyMap<string, FieldKind>;
  /** Fields as OpenSearch counts them against its limit: objects, leaves and multi-fields. */
  readonly count: number;
  /** `index.mapping.total_fields.limit`. */
  readonly limit: number;
}

/** Nothing known: every path is new and there is no limit. */
export const NO_MAPPED_FIELDS: MappedFields = { kinds: new Map(), count: 0, limit: Number.POSITIVE_INFINITY };

/** Fields OpenSearch's dynamic mapping adds for a new path: text gets a `.keyword` multi-field. */
export function fieldsOfKind(kind: FieldKind): number {
  return kind === 'text' ? 2 : 1;
}

/** Where one item's attributes go, and what its write maps that the engine does not hold yet. */
export interface FieldPlacement {
  /** Attributes that must move to `_cdc.unindexed`, with the reason. */
  readonly moved: ReadonlyMap<string, string>;
  /** Paths the item's indexed attributes map that the engine's mapping does not hold (learned once the write is done). */
  readonly newFields: ReadonlyMap<string, FieldKind>;
}

type Attribute = readonly [name: string, value: LosslessValue];

/** What a path holds before an attribute is tried: mapped by the engine, or claimed by this batch. */
type Holder = { readonly kind: FieldKind; readonly by: 'engine' | 'batch' };

/**
 * The mirror's mapping while a batch is planned: the engine's, plus what the batch's earlier
 * items map. Place the items in the order their writes are sent.
 */
export class MirrorMapping {
  private readonly claimed = new Map<string, FieldKind>();
  private count: number;

  constructor(private readonly known: MappedFields = NO_MAPPED_FIELDS) {
    this.count = known.count;
  }

  /** Places one item's attributes (each already fit for a mapping by name and shape), in order. */
  place(attributes: readonly Attribute[]): FieldPlacement {
    const moved = new Map<string, string>();
    const newFields = new Map<string, FieldKind>();
    for (const [name, value] of attributes) {
      const trial = new AttributeTrial((path) => this.holder(path));
      const problem = trial.problem(name, value) ?? this.overflow(trial.fresh);
      if (problem !== undefined) {
        moved.set(name, `${JSON.stringify(name)}: ${problem}`);
        continue;
      }
      for (const [path, kind] of trial.fresh) this.claimed.set(path, kind);
      this.count += fieldCount(trial.fresh);
      for (const [path, kind] of trial.unmapped) newFields.set(path, kind);
    }
    return { moved, newFields };
  }

  private holder(path: string): Holder | undefined {
    const mapped = this.known.kinds.get(path);
    if (mapped !== undefined) return { kind: mapped, by: 'engine' };
    const claimed = this.claimed.get(path);
    return claimed === undefined ? undefined : { kind: claimed, by: 'batch' };
  }

  private overflow(fresh: ReadonlyMap<string, FieldKind>): string | undefined {
    const adding = fieldCount(fresh);
    if (adding === 0 || this.count + adding <= this.known.limit) return undefined;
    return (
      `the mirror's mapping holds ${this.count} of its ${this.known.limit} fields (index.mapping.total_fields.limit): ` +
      `the ${adding} new field(s) of this attribute do not fit`
    );
  }
}

function fieldCount(fields: ReadonlyMap<string, FieldKind>): number {
  let count = 0;
  for (const kind of fields.values()) count += fieldsOfKind(kind);
  return count;
}

/** One attribute tried against the mapping: its first problem, or the paths it would map. */
class AttributeTrial {
  /** Paths no one maps yet that this attribute would map (they count against the limit). */
  readonly fresh = new Map<string, FieldKind>();
  /** Every path it maps that the engine does not hold (fresh, or claimed by an earlier item). */
  readonly unmapped = new Map<string, FieldKind>();

  constructor(private readonly holderOf: (path: string) => Holder | undefined) {}

  problem(name: string, value: LosslessValue): string | undefined {
    return this.named('', name, value);
  }

  /** A name below `parent`: OpenSearch reads the dots of a name as objects (`a.b` is `b` in object `a`). */
  private named(parent: string, name: string, value: LosslessValue): string | undefined {
    if (!name.includes('.')) return this.valueAt(parent === '' ? name : `${parent}.${name}`, value);
    const segments = name.split('.');
    let path = parent;
    for (const segment of segments.slice(0, -1)) {
      path = path === '' ? segment : `${path}.${segment}`;
      const problem = this.use(path, 'object', {});
      if (problem !== undefined || this.opaque(path)) return problem;
    }
    const last = segments[segments.length - 1];
    return this.valueAt(path === '' ? last : `${path}.${last}`, value);
  }

  private valueAt(path: string, value: LosslessValue): string | undefined {
    if (value === null) return undefined;
    if (Array.isArray(value)) {
      for (const element of value) {
        const problem = this.valueAt(path, element);
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    const kind = kindOfValue(value);
    const problem = this.use(path, kind, value);
    if (problem !== undefined || kind !== 'object' || this.opaque(path)) return problem;
    for (const [name, inner] of Object.entries(value as Record<string, LosslessValue>)) {
      const innerProblem = this.named(path, name, inner);
      if (innerProblem !== undefined) return innerProblem;
    }
    return undefined;
  }

  /** A value of `kind` at `path`: fine, or why not; a path nobody maps is claimed. */
  private use(path: string, kind: FieldKind, value: LosslessValue): string | undefined {
    const own = this.unmapped.get(path);
    const holder: Holder | undefined = own !== undefined ? { kind: own, by: 'batch' } : this.holderOf(path);
    if (holder === undefined) {
      this.fresh.set(path, kind);
      this.unmapped.set(path, kind);
      return undefined;
    }
    if (holder.by === 'engine') return engineConflict(path, holder.kind, kind, value);
    this.unmapped.set(path, holder.kind);
    if (holder.kind === kind) return undefined;
    return `"${path}" is first mapped as ${describeKind(holder.kind)} by this batch: ${describeKind(kind)} there would conflict`;
  }

  /** A path of a type the decision does not reason about: what is below it is the engine's business. */
  private opaque(path: string): boolean {
    return this.holderOf(path)?.kind === 'other';
  }
}

/** The engine's rules for a value at a path it maps (see the file comment). */
function engineConflict(path: string, mapped: FieldKind, kind: FieldKind, value: LosslessValue): string | undefined {
  if (mapped === 'other') return undefined;
  if (mapped === 'object' && kind !== 'object')
    return `"${path}" is mapped as an object: ${describeKind(kind)} there would refuse the item`;
  if (mapped !== 'object' && kind === 'object')
    return `"${path}" is mapped as ${describeKind(mapped)}: a map there would be skipped by the index without a trace`;
  if (mapped === 'boolean' && !fitsBoolean(value))
    return `"${path}" is mapped as a boolean: ${describeKind(kind)} there would be skipped by the index without a trace`;
  return undefined;
}

function fitsBoolean(value: LosslessValue): boolean {
  return typeof value === 'boolean' || value === 'true' || value === 'false' || value === '';
}

function kindOfValue(value: LosslessValue): FieldKind {
  if (typeof value === 'string') return 'text';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number' || value instanceof ExactNumber) return 'number';
  return 'object';
}

function describeKind(kind: FieldKind): string {
  return { object: 'a map', text: 'text', number: 'a number', boolean: 'a boolean', other: 'a field of another type' }[kind];
}

/**
 * Every path the attributes would map, for asking whether the mapping knows them all (the
 * decision looks up no other path).
 */
export function fieldPaths(attributes: readonly Attribute[], into: Set<string> = new Set()): Set<string> {
  const visit = (path: string, value: LosslessValue): void => {
    if (value === null) return; // maps nothing
    if (typeof value !== 'object' || value instanceof ExactNumber) return void into.add(path);
    if (Array.isArray(value)) return value.forEach((element) => visit(path, element));
    into.add(path);
    for (const [name, inner] of Object.entries(value as Record<string, LosslessValue>)) visitNamed(path, name, inner);
  };
  const visitNamed = (parent: string, name: string, value: LosslessValue): void => {
    let path = parent;
    for (const segment of name.split('.')) {
      path = path === '' ? segment : `${path}.${segment}`;
      into.add(path);
    }
    visit(path, value);
  };
  for (const [name, value] of attributes) visitNamed('', name, value);
  return into;
}
