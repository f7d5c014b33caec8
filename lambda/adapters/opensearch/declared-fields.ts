/**
 * A mirror's declared `fields` as mappings of its template: each path (`address.city` is the field
 * `city` of the object `address`) mapped to its type, beside what dynamic mapping makes of the rest.
 * The routing core converts each declared value before it is written (core/routing/field-conversion.ts),
 * so the mappings take exactly what it writes:
 * - `date`: ISO 8601 text in UTC, with up to nine fraction digits; epoch milliseconds are accepted
 *   too, for documents written by other means;
 * - `geo_point`: `{ lat, lon }`;
 * - `keyword`: one term per value, none longer than Lucene takes (a longer value stays in `_source`,
 *   unindexed, instead of failing the write: 8,191 characters of up to 4 bytes fit in 32,766 bytes);
 * - `text`, `long`, `double`, `boolean` as OpenSearch types them.
 * A path no mapping can hold (a reserved root such as `_id`, a name OpenSearch refuses) is left
 * out: the mirror document keeps such an attribute unindexed anyway.
 */
import { parseAttributePath, unmappablePath, type FieldType } from '../../core';

/** The date formats of a declared `date` field. */
export const DECLARED_DATE_FORMAT = 'strict_date_optional_time||epoch_millis';

/** Longest keyword (in characters) indexed whatever it holds: 8,191 × 4 bytes ≤ Lucene's 32,766-byte term. */
export const DECLARED_KEYWORD_IGNORE_ABOVE = 8191;

const FIELD_MAPPINGS: Record<FieldType, Record<string, unknown>> = {
  date: { type: 'date', format: DECLARED_DATE_FORMAT },
  keyword: { type: 'keyword', ignore_above: DECLARED_KEYWORD_IGNORE_ABOVE },
  text: { type: 'text' },
  long: { type: 'long' },
  double: { type: 'double' },
  boolean: { type: 'boolean' },
  geo_point: { type: 'geo_point' },
};

/** A level of the mapping being built: each name's leaf mapping, or the next level (Maps: any name, `__proto__` too, is a field). */
type Level = Map<string, Record<string, unknown> | Level>;

/** The `properties` of a mapping for these declared fields (empty for none). */
export function declaredFieldProperties(fields: { readonly [path: string]: FieldType } = {}): Record<string, unknown> {
  const root: Level = new Map();
  for (const [text, type] of Object.entries(fields)) {
    const path = parseAttributePath(text);
    if (unmappablePath(path) !== undefined) continue;
    // OpenSearch reads a dotted name as objects (`a.b` is `b` inside `a`), in mappings as in documents.
    placeField(
      root,
      path.flatMap((name) => name.split('.')),
      FIELD_MAPPINGS[type],
    );
  }
  return propertiesOf(root);
}

/** Puts the field's mapping at its path, objects on the way; a path through a declared leaf is left out (the settings refuse it). */
function placeField(level: Level, path: readonly string[], mapping: Record<string, unknown>): void {
  const [name, ...rest] = path;
  const existing = level.get(name);
  if (rest.length === 0) {
    if (existing === undefined) level.set(name, mapping);
    return;
  }
  if (existing !== undefined && !(existing instanceof Map)) return;
  const next: Level = existing ?? new Map();
  level.set(name, next);
  placeField(next, rest, mapping);
}

function propertiesOf(level: Level): Record<string, unknown> {
  return Object.fromEntries(
    [...level].map(([name, inner]) => [name, inner instanceof Map ? { properties: propertiesOf(inner) } : { ...inner }]),
  );
}
