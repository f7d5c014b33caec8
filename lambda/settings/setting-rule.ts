/**
 * What a setting allows, as one value: the check every place that takes the setting runs (a
 * construct prop, a CDK context key, the function's environment variable, a CLI flag), the same
 * rule in words for the docs, and the text its variable holds.
 */
import type { ChangeLogRoute, KeySchema, MirrorRoute } from '../core';
import { checkCollectionArn, checkDomainArn, checkRoleArns, checkSecretArn } from './aws-arns';
import { formatKeySchema, parseKeyAttribute, parseKeySchema } from './key-schema';
import { checkChangeLogRoute, checkMirrors } from './routing-rules';
import { checkBoolean, checkEndpoint, checkIndexName, checkInteger, checkName, checkOneOf, type IntegerRange } from './rules';
import { SCHEDULE_RULE, isScheduleExpression } from './schedule-expression';
import { SettingError } from './setting-error';

export interface Rule<T> {
  /** The allowed values in words, for the docs: `1-10000`, `` `partial`, `error` ``. */
  readonly allowed: string;
  /** The value as given (a prop, or text from context, a variable, a flag), checked; or a SettingError naming `setting`. */
  check(setting: string, value: unknown): T;
  /** The value as text, as its environment variable holds it. */
  format(value: T): string;
}

export function integerRule(range: IntegerRange): Rule<number> & { readonly range: IntegerRange } {
  return {
    range,
    allowed: `${range.min}-${range.max}`,
    check: (setting, value) => checkInteger(setting, value, range),
    format: String,
  };
}

export function oneOfRule<T extends string>(values: readonly T[]): Rule<T> & { readonly values: readonly T[] } {
  return {
    values,
    allowed: values.map((value) => `\`${value}\``).join(', '),
    check: (setting, value) => checkOneOf(setting, value, values),
    format: (value) => value,
  };
}

export const booleanRule: Rule<boolean> = { allowed: '`true`, `false`', check: checkBoolean, format: String };

export const indexNameRule: Rule<string> = {
  allowed: 'an OpenSearch index name: lowercase, no `\\ / * ? " < > | space , # :`, not starting with `-`, `_` or `+`',
  check: checkIndexName,
  format: (value) => value,
};

export const endpointRule: Rule<string> = {
  allowed: 'an `http(s)://` URL the function can reach: scheme and host only, never `user:password@`',
  check: checkEndpoint,
  format: (value) => value,
};

/** A name matched by a pattern; `rule` completes "must be ...", and is what the docs say. */
export function patternRule(pattern: RegExp, rule: string): Rule<string> {
  return { allowed: rule, check: (setting, value) => checkName(setting, value, pattern, `must be ${rule}`), format: (value) => value };
}

/** The table's key attribute names: `pk` or `pk,sk` as text, or a KeySchema. */
export const keySchemaRule: Rule<KeySchema> = {
  allowed: '`pk` or `pk,sk` (a JSON array, `["a,b","sk"]`, when a name holds a comma)',
  check: (setting, value) => {
    if (typeof value === 'object' && value !== null && typeof (value as KeySchema).partitionKey === 'string') {
      return parseKeySchema(formatKeySchema(value as KeySchema), setting);
    }
    if (typeof value !== 'string') throw new SettingError(setting, 'must be "partitionKey" or "partitionKey,sortKey"', value);
    return parseKeySchema(value, setting);
  },
  format: formatKeySchema,
};

/** An EventBridge schedule expression, or `off` for none. */
export const scheduleRule: Rule<string> = {
  allowed:
    'an EventBridge schedule expression: `rate(1 minute|hour|day)`, `rate(N minutes|hours|days)` with N ≥ 2, `cron(` six fields `)` with `?` in day-of-month or day-of-week; or `off`',
  check: (setting, value) => {
    if (value === 'off' || (typeof value === 'string' && isScheduleExpression(value))) return value;
    throw new SettingError(setting, `${SCHEDULE_RULE}; or off`, value);
  },
  format: (value) => value,
};

export const domainArnRule: Rule<string> = {
  allowed: '`arn:<partition>:es:<region>:<account>:domain/<name>`',
  check: checkDomainArn,
  format: (value) => value,
};

export const collectionArnRule: Rule<string> = {
  allowed: '`arn:<partition>:aoss:<region>:<account>:collection/<id>`',
  check: checkCollectionArn,
  format: (value) => value,
};

export const secretArnRule: Rule<string> = {
  allowed:
    "a secret's ARN, complete or without its 6-character suffix, no `*` or `?`; a name ending in `-` and 6 letters or digits (`opensearch-master`) may be either, so both readings are granted",
  check: checkSecretArn,
  format: (value) => value,
};

/** A key attribute of the demo table: `name` (a string) or `name:S|N|B`; kept as written. */
export const keyAttributeRule: Rule<string> = {
  allowed: '`name` (a string key) or `name:S`, `name:N`, `name:B`',
  check: (setting, value) => {
    if (typeof value !== 'string') throw new SettingError(setting, 'must be an attribute name, or name:S|N|B', value);
    parseKeyAttribute(value, setting);
    return value;
  },
  format: (value) => value,
};

/** The mirror indexes and what goes into each (lambda/core/routing/route.ts); JSON, or its text. */
export const mirrorsRule: Rule<readonly MirrorRoute[]> = {
  allowed:
    'a JSON list of mirrors, each `{"index", "match"?, "include"?, "exclude"?, "rename"?, "fields"?, "operations"?, "transform"?}` (see the routing section of the docs)',
  check: checkMirrors,
  format: (value) => JSON.stringify(value),
};

/** What the change log records: `{"operations"?, "exclude"?}`; JSON, or its text. */
export const changeLogRule: Rule<ChangeLogRoute> = {
  allowed: 'a JSON object `{"operations"?: [INSERT, MODIFY, REMOVE], "exclude"?: [attribute paths]}`',
  check: checkChangeLogRoute,
  format: (value) => JSON.stringify(value),
};

/** IAM roles, written to the environment separated by commas. */
export const roleArnsRule: Rule<readonly string[]> = {
  allowed: 'an IAM role ARN, `arn:<partition>:iam::<account>:role/<name>` (a path allowed), or several separated by commas',
  check: checkRoleArns,
  format: (value) => value.join(','),
};
