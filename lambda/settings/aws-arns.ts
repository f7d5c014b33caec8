/**
 * ARNs a setting may hold, checked before anything is deployed: in a real AWS partition, of the
 * right service and resource, and for a secret without `*` or `?` (IAM wildcards).
 */
import { SettingError } from './setting-error';

/** The AWS partitions, as the first field of an ARN. */
export const AWS_PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc'] as const;

/** `arn:<partition>:<service>:<region>:<account>:<resource>`, any partition-like first field. */
const ARN = /^arn:([a-z0-9-]+):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|):(.+)$/;

/** The fields of an ARN of the given service, or a SettingError naming `setting`. */
function arnFields(
  setting: string,
  value: unknown,
  service: string,
  resource: RegExp,
  rule: string,
): { partition: string; region: string; resource: string } {
  const match = typeof value === 'string' ? ARN.exec(value) : null;
  if (!match || match[2] !== service || !match[3] || !match[4] || !resource.test(match[5])) throw new SettingError(setting, rule, value);
  checkPartition(setting, match[1], value);
  return { partition: match[1], region: match[3], resource: match[5] };
}

function checkPartition(setting: string, partition: string, value: unknown): void {
  if (!(AWS_PARTITIONS as readonly string[]).includes(partition)) {
    throw new SettingError(setting, `has partition "${partition}", which is not an AWS partition (${AWS_PARTITIONS.join(', ')})`, value);
  }
}

/** An OpenSearch Service domain ARN, `arn:<partition>:es:<region>:<account>:domain/<name>`. */
export function checkDomainArn(setting: string, value: unknown): string {
  arnFields(
    setting,
    value,
    'es',
    /^domain\/[a-z][a-z0-9-]{0,27}$/,
    'must be the ARN of an OpenSearch Service domain (arn:aws:es:region:account:domain/name)',
  );
  return value as string;
}

/** An OpenSearch Serverless collection ARN, `arn:<partition>:aoss:<region>:<account>:collection/<id>`. */
export function checkCollectionArn(setting: string, value: unknown): string {
  arnFields(
    setting,
    value,
    'aoss',
    /^collection\/[a-z0-9]+$/,
    'must be the ARN of an OpenSearch Serverless collection (arn:aws:aoss:region:account:collection/id)',
  );
  return value as string;
}

/**
 * A Secrets Manager secret ARN, complete or partial, naming one secret: `*` and `?` are refused
 * (in a policy they are wildcards, and the grant would reach every secret they match).
 */
export function checkSecretArn(setting: string, value: unknown): string {
  checkNoWildcard(setting, value);
  arnFields(
    setting,
    value,
    'secretsmanager',
    /^secret:.+$/,
    'must be the ARN of a Secrets Manager secret (arn:aws:secretsmanager:region:account:secret:name)',
  );
  return value as string;
}

/** Refuses `*` and `?` in a secret ARN (text between tokens included: a token never holds them). */
export function checkNoWildcard(setting: string, value: unknown): void {
  if (typeof value === 'string' && /[*?]/.test(value)) {
    throw new SettingError(
      setting,
      'must name one secret: * and ? are wildcards in an IAM policy and would grant every secret they match',
      value,
    );
  }
}

/**
 * An IAM role's ARN: `arn:<partition>:iam::<account>:role/<name>`, or `role/<path>/<name>`. IAM is
 * global (no region). No `*` or `?`: the ARN names a principal, and a principal has no wildcards.
 */
const ROLE_ARN = /^arn:([a-z0-9-]+):iam::(\d{12}):role\/(?:[\x21-\x7e]+\/)?[\w+=,.@-]{1,64}$/;

export function checkRoleArn(setting: string, value: unknown): string {
  const match = typeof value === 'string' && !/[*?]/.test(value) ? ROLE_ARN.exec(value) : null;
  if (!match) throw new SettingError(setting, 'must be the ARN of an IAM role (arn:aws:iam::account:role/name, or role/path/name)', value);
  checkPartition(setting, match[1], value);
  return value as string;
}

/**
 * One IAM role ARN or several: a list, or text with the ARNs separated by spaces or commas. A
 * comma separates only where an ARN starts after it (`,arn:`): a role's name may hold commas.
 * Duplicates are dropped; an empty list is refused (leave the setting out instead).
 */
export function checkRoleArns(setting: string, value: unknown): string[] {
  const given = typeof value === 'string' ? value.trim().split(/\s*,\s*(?=arn:)|\s+/) : value;
  if (!Array.isArray(given) || given.length === 0 || given.some((arn) => typeof arn !== 'string' || arn === '')) {
    throw new SettingError(setting, 'must be one IAM role ARN, or several separated by commas', value);
  }
  return [...new Set(given.map((arn) => checkRoleArn(setting, arn)))];
}
