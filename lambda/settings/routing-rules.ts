/**
 * The rules of the routing settings, `mirrors` and `changeLog` (lambda/core/routing/route.ts says
 * what they mean): each given as JSON (cdk.json, a config file, a prop) or as its JSON text (`-c
 * mirrors='[...]'`, the function's environment). A wrong value is refused with a SettingError that
 * names the setting, where in it the problem is (`[1].match.attribute`), the value and what is
 * allowed; keys no rule knows (a typo: `exlude`) are refused too, so nothing is silently ignored.
 */
import {
  attributePathProblem,
  parseAttributePath,
  FIELD_TYPES,
  OPERATIONS,
  type ChangeLogRoute,
  type FieldType,
  type MirrorRoute,
  type Operation,
  type RouteMatch,
} from '../core';
import { mirrorBackingIndex, tombstoneIndex } from './index-names';
import { checkIndexName } from './rules';
import { SettingError } from './setting-error';

/** Where in the setting a check is: the setting's name and the path inside its value. */
interface Place {
  readonly setting: string;
  readonly at: string;
}

const inside = (place: Place, step: string): Place => ({ setting: place.setting, at: `${place.at}${step}` });

function fail(place: Place, problem: string, value?: unknown): never {
  throw new SettingError(place.setting, place.at === '' ? problem : `has at ${place.at} a value that ${problem}`, value);
}

const MIRROR_KEYS = ['index', 'match', 'include', 'exclude', 'rename', 'fields', 'operations', 'transform'] as const;
const CHANGE_LOG_KEYS = ['operations', 'exclude'] as const;
const TRANSFORM = /^[^#]+#[A-Za-z_$][\w$]*$/;

/** The setting's value: as given, or parsed from its JSON text. */
function jsonValue(place: Place, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return fail(place, 'must be JSON (a list of mirrors, or an object, as in cdk.json)', value);
  }
}

function objectWithKeys(place: Place, value: unknown, keys: readonly string[]): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    fail(place, `must be an object with the keys ${keys.join(', ')}`, value);
  const unknown = Object.keys(value).filter((key) => !keys.includes(key));
  if (unknown.length > 0) fail(place, `has the key ${unknown[0]}, which is none of ${keys.join(', ')}`, value);
  return value as Record<string, unknown>;
}

function list(place: Place, value: unknown, what: string, minLength = 0): unknown[] {
  if (!Array.isArray(value) || value.length < minLength)
    fail(place, `must be a list of ${what}${minLength > 0 ? ` (at least ${minLength})` : ''}`, value);
  return value;
}

function attributePath(place: Place, value: unknown): string {
  const problem = typeof value === 'string' ? attributePathProblem(value) : 'it is not text';
  if (problem !== undefined) fail(place, `is not an attribute path such as name or address.city (${problem})`, value);
  return value as string;
}

function paths(place: Place, value: unknown, minLength = 0): string[] {
  return list(place, value, 'attribute paths, such as ["name", "address.city"]', minLength).map((path, at) =>
    attributePath(inside(place, `[${at}]`), path),
  );
}

function operations(place: Place, value: unknown): Operation[] {
  const given = list(place, value, `operations of ${OPERATIONS.join(', ')}`, 1);
  given.forEach((operation, at) => {
    if (!OPERATIONS.includes(operation as Operation)) fail(inside(place, `[${at}]`), `is not one of ${OPERATIONS.join(', ')}`, operation);
  });
  if (new Set(given).size !== given.length) fail(place, 'names an operation twice', value);
  return given as Operation[];
}

/** `{ "attribute": "type", "equals": "user" }`, `{ "attribute": "pk", "beginsWith": "ORDER#" }`, `{ "any" | "all": [...] }`. */
function routeMatch(place: Place, value: unknown): RouteMatch {
  if (value !== null && typeof value === 'object' && ('any' in value || 'all' in value)) {
    const key = 'any' in value ? 'any' : 'all';
    const parts = list(inside(place, `.${key}`), objectWithKeys(place, value, [key])[key], 'match conditions', 1);
    const conditions = parts.map((part, at) => routeMatch(inside(place, `.${key}[${at}]`), part));
    return key === 'any' ? { any: conditions } : { all: conditions };
  }
  const forms = '{"attribute", "equals"}, {"attribute", "beginsWith"}, {"any": [...]} or {"all": [...]}';
  const condition = objectWithKeys(place, value, ['attribute', 'equals', 'beginsWith']);
  if ('equals' in condition === 'beginsWith' in condition) fail(place, `must be one of ${forms}`, value);
  const attribute = attributePath(inside(place, '.attribute'), condition.attribute);
  if ('beginsWith' in condition) {
    if (typeof condition.beginsWith !== 'string') fail(inside(place, '.beginsWith'), 'must be text (a prefix)', condition.beginsWith);
    return { attribute, beginsWith: condition.beginsWith };
  }
  const equals = condition.equals;
  const comparable =
    equals === null || ['string', 'boolean'].includes(typeof equals) || (typeof equals === 'number' && Number.isFinite(equals));
  if (!comparable) fail(inside(place, '.equals'), 'must be text, a number, true, false or null', equals);
  // JSON settings hold a number as a double: past 2^53 its digits are not the ones written.
  if (typeof equals === 'number' && Number.isInteger(equals) && !Number.isSafeInteger(equals))
    fail(
      inside(place, '.equals'),
      'must be a number a double holds exactly: a whole number beyond ±2^53 loses its last digits in JSON',
      equals,
    );
  return { attribute, equals: equals as string | number | boolean | null };
}

function pathMap<T>(place: Place, value: unknown, what: string, entry: (place: Place, given: unknown) => T): { [path: string]: T } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(place, `must be an object of ${what}`, value);
  const entries = Object.entries(value).map(([path, given]): [string, T] => {
    attributePath(inside(place, ` key ${JSON.stringify(path)}`), path);
    return [path, entry(inside(place, `.${path}`), given)];
  });
  return Object.fromEntries(entries);
}

function renames(place: Place, value: unknown): { [from: string]: string } {
  const map = pathMap(place, value, '"old.path": "newPath"', attributePath);
  const targets = Object.values(map);
  const twice = targets.find((target, at) => targets.indexOf(target) !== at);
  if (twice !== undefined) fail(place, `renames two paths to ${twice}: each target once`, value);
  return map;
}

function fieldType(place: Place, value: unknown): FieldType {
  if (!FIELD_TYPES.includes(value as FieldType)) fail(place, `is not a field type: one of ${FIELD_TYPES.join(', ')}`, value);
  return value as FieldType;
}

/**
 * Declared field types; no path inside another declared path (`address` and `address.city`): a
 * field of the index is a value or an object, never both. Paths are compared as OpenSearch reads
 * them, a dot inside a name (`a\\.b`) making an object too.
 */
function declaredFields(place: Place, value: unknown): { [path: string]: FieldType } {
  const fields = pathMap(place, value, `"path": type (${FIELD_TYPES.join(', ')})`, fieldType);
  const levels = Object.keys(fields).map((path) => [path, parseAttributePath(path).flatMap((name) => name.split('.'))] as const);
  for (const [outer, outerLevels] of levels) {
    const inner = levels.find(([path, innerLevels]) => path !== outer && outerLevels.every((name, at) => innerLevels[at] === name));
    if (inner) fail(place, `declares ${outer} and ${inner[0]}, a path inside it: a field is a value or an object, not both`, value);
  }
  return fields;
}

function mirrorRoute(place: Place, value: unknown): MirrorRoute {
  const given = objectWithKeys(place, value, MIRROR_KEYS);
  if (given.index === undefined) fail(place, 'has no index: every mirror names the index users query', value);
  const index = wrapped(inside(place, '.index'), () => checkIndexName('index', given.index));
  const optional = <K extends keyof MirrorRoute>(key: K, check: (place: Place, value: unknown) => MirrorRoute[K]) =>
    given[key] === undefined ? {} : { [key]: check(inside(place, `.${key}`), given[key]) };
  if (given.transform !== undefined && (typeof given.transform !== 'string' || !TRANSFORM.test(given.transform)))
    fail(inside(place, '.transform'), 'must be "<module path>#<export>", such as "transforms/order-total.ts#orderTotal"', given.transform);
  return {
    index,
    ...optional('match', routeMatch),
    ...optional('include', (at, paths_) => paths(at, paths_, 1)),
    ...optional('exclude', paths),
    ...optional('rename', renames),
    ...optional('fields', declaredFields),
    ...optional('operations', operations),
    ...optional('transform', (_, transform) => transform as string),
  };
}

/** A rule's SettingError, re-told at its place in the setting. */
function wrapped<T>(place: Place, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof SettingError) fail(place, error.problem, error.value);
    throw error;
  }
}

/** The mirror indexes: each name, its backing index and its tombstones belong to one mirror only. */
function distinctIndexes(place: Place, mirrors: readonly MirrorRoute[]): void {
  const owners = new Map<string, string>();
  mirrors.forEach((mirror, at) => {
    for (const name of [mirror.index, mirrorBackingIndex(mirror.index), tombstoneIndex(mirror.index)]) {
      const owner = owners.get(name);
      if (owner !== undefined)
        fail(inside(place, `[${at}].index`), `makes the index ${name}, which ${owner} makes too: each mirror its own names`, mirror.index);
      owners.set(name, `the mirror ${mirror.index}`);
    }
  });
}

export function checkMirrors(setting: string, value: unknown): MirrorRoute[] {
  const place = { setting, at: '' };
  const given = list(
    place,
    jsonValue(place, value),
    'mirrors, such as [{"index": "users", "match": {"attribute": "type", "equals": "user"}}]',
    1,
  );
  const mirrors = given.map((mirror, at) => mirrorRoute(inside(place, `[${at}]`), mirror));
  distinctIndexes(place, mirrors);
  return mirrors;
}

export function checkChangeLogRoute(setting: string, value: unknown): ChangeLogRoute {
  const place = { setting, at: '' };
  const given = objectWithKeys(place, jsonValue(place, value), CHANGE_LOG_KEYS);
  return {
    ...(given.operations === undefined ? {} : { operations: operations(inside(place, '.operations'), given.operations) }),
    ...(given.exclude === undefined ? {} : { exclude: paths(inside(place, '.exclude'), given.exclude) }),
  };
}

/** The change log's `exclude` keeps the key attributes: every document id is made of them. */
export function checkExcludeKeepsKeys(setting: string, changeLog: ChangeLogRoute, keyAttributes: readonly string[]): void {
  const key = (changeLog.exclude ?? []).find((path) => keyAttributes.includes(parseAttributePath(path)[0]));
  if (key !== undefined)
    throw new SettingError(
      setting,
      `excludes ${key}, a key attribute of the table (document ids are made of the keys): exclude other attributes`,
      changeLog.exclude,
    );
}
