/**
 * Settings from a file: `-c config=<file>` names a JSON object with the same keys as the context
 * of cdk.json (and `npm start -- --config <file>` passes it so). Precedence, for each key: an
 * explicit `-c key=value` wins over the file, and the file over cdk.json. The CDK hands the app
 * cdk.json's context and the `-c` flags merged, so a value is taken as given by `-c` when it
 * differs from cdk.json's (a `-c` that repeats cdk.json's value lets the file's stand).
 */
import * as fs from 'node:fs';
import { CONTEXT_SETTING_KEYS, SETTINGS, SettingError } from '../lambda/settings';
import type { ContextReader } from './app-settings';

const CONTEXT_KEYS: readonly string[] = CONTEXT_SETTING_KEYS.map((key) => SETTINGS[key].context);
const CONFIG = SETTINGS.config.context;

/** The file's settings, by context key; a file that is not such an object is refused, naming the file and what to fix. */
export function parseConfigFile(text: string, file: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SettingError(CONFIG, `names a file that is not JSON (${(error as Error).message})`, file);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new SettingError(CONFIG, 'names a file that does not hold a JSON object of context settings, as cdk.json\'s "context"', file);
  const unknown = Object.keys(value).filter((key) => key === CONFIG || !CONTEXT_KEYS.includes(key));
  if (unknown.length > 0)
    throw new SettingError(
      CONFIG,
      `names a file with the key ${unknown[0]}, which is no setting of the app; the keys are ${CONTEXT_KEYS.filter((key) => key !== CONFIG).join(', ')}`,
      file,
    );
  return value as Record<string, unknown>;
}

/** The context with the file's settings: `-c` first, then the file, then cdk.json (`defaults`). */
export function contextWithConfig(
  context: ContextReader,
  fromFile: Readonly<Record<string, unknown>>,
  defaults: Readonly<Record<string, unknown>>,
): ContextReader {
  return (key) => {
    const given = context(key);
    if (!Object.hasOwn(fromFile, key)) return given;
    const explicit = given !== undefined && JSON.stringify(given) !== JSON.stringify(defaults[key]);
    return explicit ? given : fromFile[key];
  };
}

/** The app's context, with the file `-c config=<file>` names (read here), if any. */
export function appContext(context: ContextReader, cdkJsonContext: Readonly<Record<string, unknown>>): ContextReader {
  const file = context(CONFIG);
  if (file === undefined || file === null || file === '') return context;
  if (typeof file !== 'string') throw new SettingError(CONFIG, 'must be the path of a JSON file', file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new SettingError(
      CONFIG,
      `names a file that cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      file,
    );
  }
  return contextWithConfig(context, parseConfigFile(text, file), cdkJsonContext);
}
