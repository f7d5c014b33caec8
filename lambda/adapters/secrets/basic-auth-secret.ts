/**
 * The user name and password for OpenSearch basic authentication, read at run time from a Secrets
 * Manager secret so they never sit in the function's environment, the stack's outputs or a log.
 * Read once per container (per ARN); a failed read is not remembered, so the next call retries.
 */
import { getSecretString, type SecretsManagerAccess } from './get-secret-value';

export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

/** The shape the secret must have, said in every error about it. */
export const BASIC_AUTH_SECRET_SHAPE = 'a JSON object {"username": "...", "password": "..."} with two non-empty strings';

/** A secret that cannot be read or does not have the right shape; never carries the secret's value. */
export class BasicAuthSecretError extends Error {
  constructor(
    readonly secretArn: string,
    problem: string,
  ) {
    super(`OpenSearch basic-auth secret ${secretArn} ${problem}; it must hold ${BASIC_AUTH_SECRET_SHAPE}`);
    this.name = 'BasicAuthSecretError';
  }
}

/**
 * The credentials in a secret's text. Errors say what is wrong with the shape only: even the
 * JSON parser's message is left out, because it quotes the text.
 */
export function parseBasicAuthSecret(secretArn: string, text: string | undefined): BasicCredentials {
  if (text === undefined) throw new BasicAuthSecretError(secretArn, 'has no text value (a binary secret?)');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BasicAuthSecretError(secretArn, 'is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new BasicAuthSecretError(secretArn, 'is not a JSON object');
  const fields = value as Record<string, unknown>;
  const missing = ['username', 'password'].filter((field) => typeof fields[field] !== 'string' || fields[field] === '');
  if (missing.length > 0)
    throw new BasicAuthSecretError(secretArn, `has no non-empty string ${missing.map((field) => `"${field}"`).join(' or ')}`);
  // Basic authentication sends "user:password": a colon in the user name would move the split.
  if ((fields.username as string).includes(':'))
    throw new BasicAuthSecretError(secretArn, 'has a ":" in "username", which basic authentication cannot carry');
  return { username: fields.username as string, password: fields.password as string };
}

/** The region in a secret's ARN: the secret is read there, whatever the caller's own region. */
export function secretRegion(secretArn: string): string | undefined {
  return secretArn.split(':')[3] || undefined;
}

const read = new Map<string, Promise<BasicCredentials>>();

/**
 * The credentials in the secret, read once per container. `access` says how Secrets Manager is
 * reached: with which AWS credentials, and by default in the secret's own region.
 */
export function readBasicAuthSecret(secretArn: string, access: SecretsManagerAccess): Promise<BasicCredentials> {
  let credentials = read.get(secretArn);
  if (!credentials) {
    credentials = fetchSecret(secretArn, access);
    read.set(secretArn, credentials);
    credentials.catch(() => read.delete(secretArn));
  }
  return credentials;
}

async function fetchSecret(secretArn: string, access: SecretsManagerAccess): Promise<BasicCredentials> {
  try {
    const text = await getSecretString(secretArn, { ...access, region: access.region ?? secretRegion(secretArn) });
    return parseBasicAuthSecret(secretArn, text);
  } catch (error) {
    if (error instanceof BasicAuthSecretError) throw error;
    const { name, message } = error as Error;
    // AWS errors name the secret and the missing permission, never its value.
    throw new BasicAuthSecretError(
      secretArn,
      `cannot be read (${name}: ${message}): the secret must exist and this role needs secretsmanager:GetSecretValue on it`,
    );
  }
}
