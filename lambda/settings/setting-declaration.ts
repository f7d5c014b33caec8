/**
 * How one setting is declared: its names wherever it is given (construct prop, CDK context key,
 * the function's environment variable, CLI flag), its default, its rule and one line of doc. The
 * settings table (settings-table.ts) holds one declaration per setting; the readers and writers
 * of every surface, and the docs, are derived from it.
 */
import type { Rule } from './setting-rule';
import type { Platform } from './setting-values';

/** The construct's prop: its name, and for a Duration the whole unit the setting counts in. */
export interface PropFacet {
  readonly name: string;
  /** The prop is a `Duration` of whole units of this (the setting is the count). */
  readonly unit?: DurationUnit;
  /** The prop has a CDK type of its own (TypeScript checks it; the construct maps the value). */
  readonly cdkType?: 'RemovalPolicy' | 'Schedule';
}
export type DurationUnit = 'seconds' | 'hours' | 'days';

/** The operator CLI's global flag. */
export interface CliFacet {
  readonly flag: `--${string}`;
  /** The value's placeholder in the help (`url` for `--opensearch <url>`); none for a switch. */
  readonly value?: string;
  /** What the flag defaults to, in words. @default the deployed function's value */
  readonly default?: string;
}

/** One default per platform: the app's by its target; the construct's is `aws` (it serves apps on AWS); the function's and the CLI's `local` (which deletes nothing). */
export interface PlatformDefault<T> {
  readonly kind: 'platform';
  readonly local: T;
  readonly aws: T;
}
/** The CDK app's default only (the demo's names); the construct's in words (a generated name, a required prop...). The function has none. */
export interface AppDefault<T> {
  readonly kind: 'app';
  readonly value: T;
  readonly construct?: string;
}
/** Computed from other settings by the code that reads it; in words for each place that has one. */
export interface DerivedDefault {
  readonly kind: 'derived';
  readonly context?: string;
  readonly construct?: string;
  readonly function?: string;
}
export type Default<T> = T | PlatformDefault<T> | AppDefault<T> | DerivedDefault;

export const perPlatform = <T>(defaults: { local: T; aws: T }): PlatformDefault<T> => ({ kind: 'platform', ...defaults });
export const appDefault = <T>(value: T, construct?: string): AppDefault<T> => ({ kind: 'app', value, construct });
export const derivedDefault = (words: Omit<DerivedDefault, 'kind'>): DerivedDefault => ({ kind: 'derived', ...words });

export interface Setting<T> {
  /** One line: what it sets. */
  readonly doc: string;
  readonly rule: Rule<T>;
  /** @default none: the setting is optional, or required where the code that reads it says so */
  readonly default?: Default<T>;
  /** Where the setting is needed and missing, what it must be: "is not set; it must be <required>". */
  readonly required?: string;
  readonly context?: string;
  readonly prop?: PropFacet;
  readonly env?: string;
  readonly cli?: CliFacet;
}

/** One entry of the table: its literal names are kept in its type (so the keys that have a variable, a prop... are known). */
export function defineSetting<T, const S extends Setting<T>>(setting: S & Setting<T>): S {
  return setting;
}

/** Where a default is taken: the CDK app on a platform, the construct, or the function's environment (and the CLI without a deployment). */
export type DefaultPlace = Platform | 'construct' | 'function';

/** The setting's default value at that place; undefined where it has none (or the code derives it). */
export function defaultFor<T>(setting: Setting<T>, place: DefaultPlace): T | undefined {
  const given = setting.default;
  if (!isDefaultKind(given)) return given;
  switch (given.kind) {
    case 'platform':
      return given[place === 'construct' ? 'aws' : place === 'function' ? 'local' : place];
    case 'app':
      return place === 'local' || place === 'aws' ? given.value : undefined;
    case 'derived':
      return undefined;
  }
}

export function isDefaultKind<T>(value: Default<T> | undefined): value is PlatformDefault<T> | AppDefault<T> | DerivedDefault {
  return typeof value === 'object' && value !== null && 'kind' in value;
}
