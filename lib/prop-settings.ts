/**
 * The construct's props checked by the settings table: each prop's value, else the construct's
 * default, by the setting's rule; a bad one is a ValidationError bound to the construct that names
 * the prop and the value. A Duration prop counts in the setting's whole unit. Values known only at
 * deploy time (tokens) are taken as they are.
 */
import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import {
  type DurationUnit,
  type PropSettingKey,
  type RemovalPolicyName,
  type Setting,
  type SettingValue,
  declaration,
  defaultFor,
  PROP_SETTING_KEYS,
  propName,
} from '../lambda/settings';
import { ValidationError } from './validation-error';

/** The checked props, by setting; undefined where neither the prop nor a default for the construct gives a value. */
export type PropValues = { readonly [K in PropSettingKey]?: SettingValue<K> };

/** Every prop the settings table declares, checked in the table's order (props with a CDK type are TypeScript's to check). */
export function checkProps(scope: IConstruct, props: object): PropValues {
  const values: Partial<Record<PropSettingKey, unknown>> = {};
  for (const key of PROP_SETTING_KEYS) {
    const { name, unit, cdkType } = declaration(key).prop!;
    if (cdkType) continue;
    const given = (props as Record<string, unknown>)[name];
    values[key] = unit ? durationProp(scope, key, unit, given as Duration | undefined) : plainProp(scope, key, given);
  }
  return values as PropValues;
}

function plainProp(scope: IConstruct, key: PropSettingKey, given: unknown): unknown {
  const setting = declaration(key);
  const value = given ?? defaultFor(setting, 'construct');
  if (value === undefined || Token.isUnresolved(value)) return value;
  return ValidationError.check(scope, () => setting.rule.check(setting.prop!.name, value));
}

/** The whole number of `unit` in the Duration (else in the default), checked as `<prop> (<unit>)`. */
function durationProp(scope: IConstruct, key: PropSettingKey, unit: DurationUnit, given: Duration | undefined): number {
  const setting = declaration(key) as Setting<unknown> as Setting<number>;
  const duration = given ?? Duration[unit](defaultFor(setting, 'construct')!);
  const amount = wholeUnits(scope, setting.prop!.name, duration, unit);
  if (Token.isUnresolved(amount)) return amount;
  return ValidationError.check(scope, () => setting.rule.check(propName(key), amount));
}

/** The duration in whole `unit`s, or a ValidationError naming the prop and the duration given. */
function wholeUnits(scope: IConstruct, prop: string, duration: Duration, unit: DurationUnit): number {
  const inUnit = (options?: { integral: boolean }) =>
    unit === 'days' ? duration.toDays(options) : unit === 'hours' ? duration.toHours(options) : duration.toSeconds(options);
  if (duration.isUnresolved()) return inUnit();
  const amount = inUnit({ integral: false });
  if (!Number.isInteger(amount)) {
    throw new ValidationError(
      scope,
      prop,
      `must be a whole number of ${unit}, such as Duration.${unit}(${Math.max(1, Math.round(amount))})`,
      duration.toString(),
    );
  }
  return amount;
}

/** The removal policy a setting's value names. */
export function removalPolicyOf(name: RemovalPolicyName): RemovalPolicy {
  return name === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
}
