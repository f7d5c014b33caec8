/**
 * A mirror's declarative shaping of a document (plain JSON, numbers exact), in this order:
 * `include` keeps only its paths, `exclude` drops its paths, `rename` moves values to new paths,
 * `fields` converts the values of declared paths to their types. Paths go through maps and
 * through lists element by element (`lines.sku` is the `sku` of every element of `lines`), except
 * `rename`'s, which go through maps only. Nothing is lost silently: a rename whose target is
 * taken leaves its value where it was, and a value that does not
 * convert stays as it is, named with the reason in `unconverted` (its root attribute is then
 * kept unindexed by the mirror document).
 */
import { ExactNumber, type LosslessObject, type LosslessValue } from '../lossless-json';
import { formatAttributePath, ownValue, parseAttributePath, pathTree, type AttributePath, type PathTree } from './attribute-path';
import { convertField } from './field-conversion';
import type { FieldType, MirrorRoute } from './route';

export interface DocumentShape {
  readonly include?: PathTree;
  readonly exclude?: PathTree;
  readonly renames: readonly (readonly [from: AttributePath, to: AttributePath])[];
  /** The declared fields by their root attribute, each root's in the order declared. */
  readonly fields: ReadonlyMap<string, readonly (readonly [path: AttributePath, type: FieldType])[]>;
}

export interface ShapedDocument {
  readonly document: LosslessObject;
  /** Root attributes holding a value that did not convert to its declared type, with the reason. */
  readonly unconverted: ReadonlyMap<string, string>;
}

type PlainMap = { [name: string]: LosslessValue };

export function documentShape(route: Pick<MirrorRoute, 'include' | 'exclude' | 'rename' | 'fields'>): DocumentShape {
  return {
    include: route.include ? pathTree(route.include.map(parseAttributePath)) : undefined,
    exclude: route.exclude ? pathTree(route.exclude.map(parseAttributePath)) : undefined,
    renames: Object.entries(route.rename ?? {}).map(([from, to]) => [parseAttributePath(from), parseAttributePath(to)] as const),
    fields: fieldsByRoot(Object.entries(route.fields ?? {}).map(([path, type]) => [parseAttributePath(path), type] as const)),
  };
}

function fieldsByRoot(fields: readonly (readonly [AttributePath, FieldType])[]): DocumentShape['fields'] {
  const byRoot = new Map<string, (readonly [AttributePath, FieldType])[]>();
  for (const field of fields) byRoot.set(field[0][0], [...(byRoot.get(field[0][0]) ?? []), field]);
  return byRoot;
}

export function shapeDocument(shape: DocumentShape, document: LosslessObject): ShapedDocument {
  let shaped: LosslessObject = document;
  if (shape.include) shaped = (kept(document, shape.include) as LosslessObject | undefined) ?? {};
  if (shape.exclude) shaped = withoutPaths(shaped, shape.exclude) as LosslessObject;
  if (shape.renames.length > 0) shaped = renamed(shaped, shape.renames);
  return shape.fields.size > 0 ? converted(shaped, shape.fields) : { document: shaped, unconverted: new Map() };
}

function isMap(value: LosslessValue | undefined): value is LosslessObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof ExactNumber);
}

/** What lies on the tree's paths; undefined when none of them leads anywhere. */
function kept(value: LosslessValue, tree: PathTree): LosslessValue | undefined {
  if (tree.whole) return value;
  if (Array.isArray(value)) {
    const elements = value.map((element) => kept(element, tree)).filter((element) => element !== undefined);
    return elements.length > 0 ? elements : undefined;
  }
  if (!isMap(value)) return undefined;
  const entries: [string, LosslessValue][] = [];
  for (const [name, child] of tree.children) {
    const inner = ownValue(value, name);
    const part = inner === undefined ? undefined : kept(inner, child);
    if (part !== undefined) entries.push([name, part]);
  }
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** The value without what lies on the tree's paths (a path's end removes everything below it). */
export function withoutPaths(value: LosslessValue, tree: PathTree): LosslessValue {
  if (Array.isArray(value)) return value.map((element) => withoutPaths(element, tree));
  if (!isMap(value) || tree.children.size === 0) return value;
  const entries: [string, LosslessValue][] = [];
  for (const [name, inner] of Object.entries(value)) {
    const child = tree.children.get(name);
    if (child === undefined) entries.push([name, inner]);
    else if (!child.whole) entries.push([name, withoutPaths(inner, child)]);
  }
  return Object.fromEntries(entries);
}

/**
 * Every rename at once (`a`→`b` with `b`→`a` swaps them): values taken out first, then placed. A
 * rename whose target is taken (by a value that stays, an earlier rename's value, or something
 * that is not a map on the way) does not happen, and its value stays where it was; as that may in
 * turn block a rename into its place, the renames are tried again without it until all that are
 * left succeed.
 */
function renamed(document: LosslessObject, renames: DocumentShape['renames']): LosslessObject {
  let active = renames;
  for (;;) {
    const root = copiedAlong(document, active);
    const taken = active.map(([from]) => takeAt(root, from));
    const blocked = active.findIndex(([, to], position) => taken[position] !== undefined && !placeAt(root, to, taken[position]));
    if (blocked < 0) return root;
    active = active.filter((_, position) => position !== blocked);
  }
}

/**
 * A copy whose root and maps on the renames' paths are fresh, so taking and placing along those
 * paths changes nothing of the document given; what lies off them is shared.
 */
function copiedAlong(document: LosslessObject, renames: DocumentShape['renames']): PlainMap {
  const root: PlainMap = { ...document };
  for (const path of renames.flat()) {
    let map = root;
    for (const name of path.slice(0, -1)) {
      const inner = ownValue(map, name);
      if (!isMap(inner)) break;
      const copy: PlainMap = { ...inner };
      Object.defineProperty(map, name, { value: copy, enumerable: true, writable: true, configurable: true });
      map = copy;
    }
  }
  return root;
}

function takeAt(root: PlainMap, path: AttributePath): LosslessValue | undefined {
  const parent = mapAt(root, path.slice(0, -1), false);
  const name = path[path.length - 1];
  if (parent === undefined || !Object.hasOwn(parent, name)) return undefined;
  const value = parent[name];
  delete parent[name];
  return value;
}

/** Places the value at the path, making maps on the way; false when something other than a map, or a value, is in the way. */
function placeAt(root: PlainMap, path: AttributePath, value: LosslessValue): boolean {
  const parent = mapAt(root, path.slice(0, -1), true);
  const name = path[path.length - 1];
  if (parent === undefined || Object.hasOwn(parent, name)) return false;
  Object.defineProperty(parent, name, { value, enumerable: true, writable: true, configurable: true });
  return true;
}

function mapAt(root: PlainMap, path: AttributePath, make: boolean): PlainMap | undefined {
  let map: PlainMap = root;
  for (const name of path) {
    let inner = ownValue(map, name);
    if (inner === undefined && make) {
      inner = {};
      Object.defineProperty(map, name, { value: inner, enumerable: true, writable: true, configurable: true });
    }
    if (!isMap(inner)) return undefined;
    map = inner as PlainMap;
  }
  return map;
}

/** Declared paths converted; a root attribute where a value did not convert is left whole as it was. */
function converted(document: LosslessObject, fields: DocumentShape['fields']): ShapedDocument {
  const unconverted = new Map<string, string>();
  let result: PlainMap | undefined; // copied when a value changes
  for (const [name, declared] of fields) {
    const value = ownValue(document, name);
    if (value === undefined) continue;
    let next = value;
    for (const [path, type] of declared) {
      const outcome = convertAt(next, path.slice(1), type);
      if ('problem' in outcome) {
        unconverted.set(name, `${JSON.stringify(formatAttributePath(path))} is declared ${type}: ${outcome.problem}`);
        next = value;
        break;
      }
      next = outcome.value;
    }
    if (next === value) continue;
    result ??= { ...document };
    Object.defineProperty(result, name, { value: next, enumerable: true, writable: true, configurable: true });
  }
  return { document: result ?? document, unconverted };
}

/** The value with what lies at `path` below it converted (through maps and lists). */
function convertAt(value: LosslessValue, path: AttributePath, type: FieldType): { value: LosslessValue } | { problem: string } {
  if (path.length === 0) return convertField(type, value);
  if (Array.isArray(value)) {
    const elements: LosslessValue[] = [];
    for (const element of value) {
      const outcome = convertAt(element, path, type);
      if ('problem' in outcome) return outcome;
      elements.push(outcome.value);
    }
    return { value: elements };
  }
  if (!isMap(value) || !Object.hasOwn(value, path[0])) return { value };
  const outcome = convertAt(value[path[0]], path.slice(1), type);
  if ('problem' in outcome) return outcome;
  return { value: Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, name === path[0] ? outcome.value : inner])) };
}
