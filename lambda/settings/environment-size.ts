/**
 * Lambda refuses a function whose environment variables, names and values together, exceed 4 KB
 * (at deploy time, with a message naming no variable). The routing settings travel there as
 * JSON and are what can grow: a bigger environment is refused at synth, naming the setting that
 * takes the most room and what to do about it.
 */
import { SettingError } from './setting-error';
import { ENVIRONMENT, FUNCTION_SETTING_KEYS, type FunctionSettingKey, type SettingNames } from './setting-keys';

/** Lambda's limit on the environment: 4 KB, names and values. */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4 * 1024;

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

export function environmentBytes(environment: Readonly<Record<string, string>>): number {
  return Object.entries(environment).reduce((sum, [name, value]) => sum + bytes(name) + bytes(value), 0);
}

export function checkEnvironmentSize(environment: Readonly<Record<string, string>>, names: SettingNames): void {
  const total = environmentBytes(environment);
  if (total <= LAMBDA_ENVIRONMENT_LIMIT_BYTES) return;
  const sizeOf = (key: FunctionSettingKey) => bytes(environment[ENVIRONMENT[key]] ?? '');
  const largest = [...FUNCTION_SETTING_KEYS].sort((a, b) => sizeOf(b) - sizeOf(a))[0];
  throw new SettingError(
    names[largest],
    `takes ${sizeOf(largest)} bytes of the function's environment, which would hold ${total} bytes, above Lambda's limit of ${LAMBDA_ENVIRONMENT_LIMIT_BYTES} (names and values)`,
    undefined,
    'Make it shorter: fewer mirrors, paths or renames, shorter index names, or a transform (code, not settings) for the shaping',
  );
}
