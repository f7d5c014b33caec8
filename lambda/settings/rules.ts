/**
 * The rules every setting is checked against. Each throws a SettingError that names the setting.
 */
import { SettingError } from './setting-error';

/** OpenSearch's rules for index (and alias) names. */
export function checkIndexName(setting: string, value: unknown): string {
  if (typeof value !== 'string') throw new SettingError(setting, 'must be an OpenSearch index name (text)', value);
  const problems: string[] = [];
  if (value.length === 0) problems.push('it is empty');
  if (value !== value.toLowerCase()) problems.push('it must be lowercase');
  if (/[\\/*?"<>| ,#:]/.test(value)) problems.push('it must not contain \\ / * ? " < > | space , # :');
  if (/^[-_+]/.test(value)) problems.push('it must not start with -, _ or +');
  if (value === '.' || value === '..') problems.push('it must not be . or ..');
  if (Buffer.byteLength(value, 'utf8') > 200) problems.push('it must be at most 200 bytes (room for the suffixes of derived indexes)');
  if (problems.length > 0) throw new SettingError(setting, `is not a valid OpenSearch index name: ${problems.join('; ')}`, value);
  return value;
}

/**
 * An OpenSearch endpoint: http(s), a host, nothing else. Credentials in the URL are refused: they
 * would end up in the function's environment, the stack outputs and the logs.
 */
export function checkEndpoint(setting: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new SettingError(setting, 'must be the OpenSearch URL, such as http://localhost:9200', value);
  }
  // Whatever the problem, the value is shown without what may be a password.
  const shown = redactUserInfo(value);
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new SettingError(setting, 'is not a URL; it must look like http://localhost:9200', shown);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SettingError(setting, 'must use http or https', shown);
  if (url.username !== '' || url.password !== '') {
    throw new SettingError(setting, 'must not contain credentials (user:password@); use an authentication setting instead', shown);
  }
  if (url.search !== '' || url.hash !== '' || (url.pathname !== '/' && url.pathname !== '')) {
    throw new SettingError(setting, 'must be the cluster URL without path, query or fragment', shown);
  }
  return url.origin;
}

/** What may be shown of an endpoint in logs and messages: its origin, never user-info. */
export function endpointOrigin(value: string): string {
  try {
    return new URL(value).origin;
  } catch {
    return '(not a URL)';
  }
}

/** The value with anything that may be user-info hidden: up to the last `@` (a password may hold `@`, `/`, `#`, `?`). */
function redactUserInfo(value: string): string {
  const at = value.lastIndexOf('@');
  if (at < 0) return value;
  const scheme = value.indexOf('//');
  return `${scheme >= 0 && scheme < at ? value.slice(0, scheme + 2) : ''}***@${value.slice(at + 1)}`;
}

export function checkInteger(setting: string, value: unknown, range: IntegerRange): number {
  const parsed = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(parsed) || parsed < range.min || parsed > range.max) {
    throw new SettingError(setting, `must be an integer from ${range.min} to ${range.max}`, value);
  }
  return parsed;
}

export interface IntegerRange {
  readonly min: number;
  readonly max: number;
}

export function checkOneOf<T extends string>(setting: string, value: unknown, allowed: readonly T[]): T {
  const text = typeof value === 'string' ? value.trim() : value;
  if (!allowed.includes(text as T)) throw new SettingError(setting, `must be one of ${allowed.join(', ')}`, value);
  return text as T;
}

/** A name such as a table, function or queue name: a pattern and the rule in words. */
export function checkName(setting: string, value: unknown, pattern: RegExp, rule: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) throw new SettingError(setting, rule, value);
  return value;
}

/** Empty, null and undefined all mean "not given". */
export function isUnset(value: unknown): value is undefined | null | '' {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** A boolean, given as one (a prop) or as text (CDK context, an environment variable). */
export function checkBoolean(setting: string, value: unknown): boolean {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new SettingError(setting, 'must be true or false', value);
}
