/**
 * `--config <file>` of `npm start`, `npm run up` and `npm run deploy:local`: a JSON object with the
 * same keys as cdk.json's context, handed to the deploy as `-c config=<absolute path>` (the app
 * reads it there: lib/config-file.ts). It is read and checked here first, as the app will read it
 * (over cdk.json), so a missing file or a wrong value stops before any engine starts; and the
 * runner learns from it the table, its keys and the indexes its readiness probe looks at.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConfigFile, readAppSettings, type CdcAppSettings } from '../lib';
import { DEFAULT_NAMES, SettingError } from '../lambda/settings';
import { PROJECT_ROOT } from './paths';
import { StepError } from './step-error';

export interface LocalConfig {
  /** The file, absolute (cdklocal runs in the project's folder). */
  readonly file: string;
  /** The app's settings with the file's over cdk.json's. */
  readonly settings: CdcAppSettings;
}

/** What the runner needs of the deployment: where the probe writes and which indexes are the pipeline's. */
export interface LocalTarget {
  readonly tableName: string;
  readonly changeLogIndex: string;
  /** The mirror alias `matchMirrorToTable` keeps in step (the one mirror's name, also with routing). */
  readonly mirrorIndex: string;
  /** Every mirror index (routing's `mirrors`, else the one mirror). */
  readonly mirrorIndexes: readonly string[];
  /** The table's key attributes, partition key first. */
  readonly keys: readonly { readonly name: string; readonly type: 'S' | 'N' | 'B' }[];
}

export const DEFAULT_TARGET: LocalTarget = {
  tableName: DEFAULT_NAMES.tableName,
  changeLogIndex: DEFAULT_NAMES.changeLogIndex,
  mirrorIndex: DEFAULT_NAMES.mirrorIndex,
  mirrorIndexes: [DEFAULT_NAMES.mirrorIndex],
  keys: [{ name: 'id', type: 'S' }],
};

export function readLocalConfig(file: string, directory: string = process.cwd()): LocalConfig {
  const absolute = path.resolve(directory, file);
  const step = `reading --config ${file}`;
  let text: string;
  try {
    text = fs.readFileSync(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new StepError(step, `${absolute} cannot be read (${code})`, 'name a JSON file of settings, such as examples/single-table.json');
  }
  try {
    const fromFile = parseConfigFile(text, absolute);
    const cdkJson = readCdkJsonContext();
    const settings = readAppSettings((key) => (Object.hasOwn(fromFile, key) ? fromFile[key] : cdkJson[key]));
    return { file: absolute, settings };
  } catch (error) {
    if (!(error instanceof SettingError)) throw error;
    throw new StepError(step, error.message, "fix the file: it holds the keys of cdk.json's context (every setting is in docs/aws.md)");
  }
}

/** The context flags that hand the file to the deploy. */
export function configContext(config: LocalConfig | undefined): string[] {
  return config ? ['-c', `config=${config.file}`] : [];
}

/** The table, keys and indexes of the deployment: the file's, else the defaults the runner always used. */
export function localTarget(config: LocalConfig | undefined): LocalTarget {
  if (!config) return DEFAULT_TARGET;
  const { settings } = config;
  return {
    tableName: settings.tableName,
    changeLogIndex: settings.changeLogIndex,
    mirrorIndex: settings.mirrorIndex,
    mirrorIndexes: settings.mirrors?.map((mirror) => mirror.index) ?? [settings.mirrorIndex],
    keys: [settings.partitionKey, ...(settings.sortKey ? [settings.sortKey] : [])],
  };
}

function readCdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}
