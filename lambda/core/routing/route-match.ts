/**
 * Whether an item meets a mirror's `match`, decided on its image in DynamoDB JSON: an attribute
 * (a path through maps) equal to a value or beginning with a prefix; `any` / `all` of conditions.
 * Equality is by type and value: text with text, numbers by their exact value (`5` equals
 * `5.0`), booleans, null with NULL. A missing attribute, or one of another type, does not match.
 */
import type { AttributeMap, AttributeValue } from '../change-record';
import { ownValue, parseAttributePath, type AttributePath } from './attribute-path';
import { decimalKey, parseDecimal } from './decimal';
import type { MatchValue, RouteMatch } from './route';

/** A compiled `match`: true when the image meets it. */
export type ImagePredicate = (image: AttributeMap) => boolean;

export function compileMatch(match: RouteMatch | undefined): ImagePredicate {
  if (match === undefined) return () => true;
  if ('any' in match) {
    const parts = match.any.map(compileMatch);
    return (image) => parts.some((part) => part(image));
  }
  if ('all' in match) {
    const parts = match.all.map(compileMatch);
    return (image) => parts.every((part) => part(image));
  }
  const path = parseAttributePath(match.attribute);
  if ('beginsWith' in match) {
    const prefix = match.beginsWith;
    return (image) => {
      const text = valueAt(image, path)?.S;
      return typeof text === 'string' && text.startsWith(prefix);
    };
  }
  const equal = equalityWith(match.equals);
  return (image) => {
    const value = valueAt(image, path);
    return value !== undefined && equal(value);
  };
}

/** Whether the image meets `match` (compiled on each call: compileMatch once for many images). */
export function matches(match: RouteMatch | undefined, image: AttributeMap): boolean {
  return compileMatch(match)(image);
}

/** Every attribute path a `match` reads. */
export function matchedAttributes(match: RouteMatch | undefined): string[] {
  if (match === undefined) return [];
  if ('any' in match) return match.any.flatMap(matchedAttributes);
  if ('all' in match) return match.all.flatMap(matchedAttributes);
  return [match.attribute];
}

/** The value at a path through maps (M), or undefined. */
export function valueAt(image: AttributeMap, path: AttributePath): AttributeValue | undefined {
  let value: AttributeValue | undefined = ownValue(image, path[0]);
  for (const name of path.slice(1)) {
    const map = value?.M as AttributeMap | undefined;
    value = map === undefined ? undefined : ownValue(map, name);
  }
  return value;
}

function equalityWith(expected: MatchValue): (value: AttributeValue) => boolean {
  if (expected === null) return (value) => value.NULL === true;
  if (typeof expected === 'boolean') return (value) => value.BOOL === expected;
  if (typeof expected === 'string') return (value) => value.S === expected;
  const key = decimalKey(parseDecimal(String(expected))!);
  return (value) => {
    if (value.N === undefined) return false;
    const parsed = parseDecimal(value.N);
    return parsed !== undefined && decimalKey(parsed) === key;
  };
}
