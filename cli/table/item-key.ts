/** An item's key as the user types it (`user-001`, or `pk sk`), named by the deployment's key schema. */
import { keyNames, type KeySchema } from '../../lambda/core';
import { SettingError } from '../../lambda/settings';

export function itemKey(values: readonly string[], schema: KeySchema, what = 'the key'): Record<string, string> {
  const names = keyNames(schema);
  if (values.length !== names.length) {
    throw new SettingError(
      what,
      `must be ${names.length} value(s), one for each of ${names.map((name) => JSON.stringify(name)).join(' and ')}`,
      values.join(' '),
    );
  }
  return Object.fromEntries(names.map((name, position) => [name, values[position]]));
}
