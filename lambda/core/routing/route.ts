/**
 * The routing settings as the pipeline takes them: which mirror indexes there are, which items
 * belong in each and in what shape, and what the change log keeps. Plain JSON, as users write it
 * (cdk.json, a config file, the construct's props); the settings check it (lambda/settings) and
 * compileRouting (routing.ts) parses it once.
 */

/** The stream's three kinds of change. */
export type Operation = 'INSERT' | 'MODIFY' | 'REMOVE';
export const OPERATIONS: readonly Operation[] = ['INSERT', 'MODIFY', 'REMOVE'];

/** A value an attribute is compared with: text (S), a number (N, compared exactly), a boolean (BOOL), null (NULL). */
export type MatchValue = string | number | boolean | null;

/**
 * Which items belong in a mirror, decided on the item's image: an attribute (a path: `type`,
 * `address.country`) equal to a value or beginning with a prefix, or any / all of such conditions.
 */
export type RouteMatch =
  | { readonly attribute: string; readonly equals: MatchValue }
  | { readonly attribute: string; readonly beginsWith: string }
  | { readonly any: readonly RouteMatch[] }
  | { readonly all: readonly RouteMatch[] };

/** Types a mirror's document can declare for its paths (they go into the index's template). */
export type FieldType = 'date' | 'keyword' | 'text' | 'long' | 'double' | 'boolean' | 'geo_point';
export const FIELD_TYPES: readonly FieldType[] = ['date', 'keyword', 'text', 'long', 'double', 'boolean', 'geo_point'];

/** One mirror index. Every key but `index` is optional: absent, the mirror takes every item, whole, on every operation. */
export interface MirrorRoute {
  /** The name users query: an alias over its backing index, as the default mirror's. */
  readonly index: string;
  /** The items that belong here. @default every item */
  readonly match?: RouteMatch;
  /** Only these paths are kept (applied to the transform's document, if there is one). @default every path */
  readonly include?: readonly string[];
  /** These paths are dropped (after `include`). @default none */
  readonly exclude?: readonly string[];
  /** `{ "old.path": "new.path" }`, after `include` and `exclude`. @default none */
  readonly rename?: { readonly [from: string]: string };
  /** Declared types of the document's paths (after `rename`); values are converted to them. @default none */
  readonly fields?: { readonly [path: string]: FieldType };
  /** The changes that change this index; without REMOVE a deleted item's document stays (an archive). @default all three */
  readonly operations?: readonly Operation[];
  /** `<module path>#<export>`: a function `(item, context) => document | null` bundled into the function. @default none */
  readonly transform?: string;
}

/** What the change log keeps. */
export interface ChangeLogRoute {
  /** The changes it records. @default all three */
  readonly operations?: readonly Operation[];
  /** Paths dropped everywhere: from the change log's images, from every mirror, from dead letters. @default none */
  readonly exclude?: readonly string[];
}

/** The operations a route takes: its own, else all three. */
export function operationsOf(route: { readonly operations?: readonly Operation[] }): ReadonlySet<Operation> {
  return new Set(route.operations ?? OPERATIONS);
}
