/**
 * The settings table seen from each place that takes settings: which keys have an environment
 * variable (the function's settings), a prop, a context key or a flag, and their names there.
 */
import type { Setting } from './setting-declaration';
import type { Rule } from './setting-rule';
import { SETTINGS } from './settings-table';

export type SettingKey = keyof typeof SETTINGS;
/** The value a setting holds once checked: its rule's type. */
export type SettingValue<K extends SettingKey> = (typeof SETTINGS)[K]['rule'] extends Rule<infer T> ? T : never;

/** A setting's declaration, typed by its value (the table's entries each keep their own literal type). */
export function declaration<K extends SettingKey>(key: K): Setting<SettingValue<K>> {
  return SETTINGS[key] as unknown as Setting<SettingValue<K>>;
}

type KeysWith<Facet extends string> = { [K in SettingKey]: (typeof SETTINGS)[K] extends Record<Facet, unknown> ? K : never }[SettingKey];
/** The function's settings: those with an environment variable. */
export type FunctionSettingKey = KeysWith<'env'>;
export type ContextSettingKey = KeysWith<'context'>;
export type PropSettingKey = KeysWith<'prop'>;
export type FlagSettingKey = KeysWith<'cli'>;

/** How each of the function's settings is named where it was given: in messages, a bad value names it so. */
export type SettingNames = { readonly [K in FunctionSettingKey]: string };

function keysWith<K extends SettingKey>(facet: 'env' | 'context' | 'prop' | 'cli'): K[] {
  return (Object.keys(SETTINGS) as SettingKey[]).filter(
    (key) => SETTINGS[key][facet as keyof (typeof SETTINGS)[SettingKey]] !== undefined,
  ) as K[];
}

export const FUNCTION_SETTING_KEYS: readonly FunctionSettingKey[] = keysWith('env');
export const CONTEXT_SETTING_KEYS: readonly ContextSettingKey[] = keysWith('context');
export const PROP_SETTING_KEYS: readonly PropSettingKey[] = keysWith('prop');
export const FLAG_SETTING_KEYS: readonly FlagSettingKey[] = keysWith('cli');

/** The environment variable of each of the function's settings. */
export const ENVIRONMENT = Object.fromEntries(FUNCTION_SETTING_KEYS.map((key) => [key, SETTINGS[key].env])) as SettingNames;

/** A prop as messages name it: `batchSize`, `changeLogRetention (days)` for a Duration counted in days. */
export function propName(key: PropSettingKey): string {
  const { name, unit } = SETTINGS[key].prop as { name: string; unit?: string };
  return unit ? `${name} (${unit})` : name;
}

/** The construct's view: a function setting by its prop, else by its key (settings the construct takes from the target or the table). */
export const PROP_NAMES = Object.fromEntries(
  FUNCTION_SETTING_KEYS.map((key) => [key, (PROP_SETTING_KEYS as readonly string[]).includes(key) ? propName(key as PropSettingKey) : key]),
) as SettingNames;
