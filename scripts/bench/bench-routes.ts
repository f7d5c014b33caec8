/**
 * The routed path the bench measures: three mirrors, split by the items' `kind`, each shaped in
 * its own way, one with a transform, as a single-table design would route users, orders and
 * their line items.
 */
import type { MirrorRoute, Transform } from '../../lambda/core';

export const ROUTED_KINDS = ['user', 'order', 'item'] as const;

export function benchRoutes(prefix: string): MirrorRoute[] {
  return [
    {
      index: `${prefix}-users`,
      match: { attribute: 'kind', equals: 'user' },
      exclude: ['address.zip'],
      rename: { name: 'fullName' },
      fields: { age: 'long' },
    },
    { index: `${prefix}-orders`, match: { attribute: 'kind', equals: 'order' }, transform: 'scripts/bench/bench-routes.ts#orderTotal' },
    {
      index: `${prefix}-items`,
      match: { attribute: 'kind', equals: 'item' },
      include: ['id', 'kind', 'name', 'bio', 'score', 'version', 'address'],
      fields: { score: 'double' },
    },
  ];
}

/** The orders' transform: a computed field, as users' transforms typically add. */
export const orderTotal: Transform = (item) => ({ ...item, total: Number(item.score) * 2, lineCount: (item.tags as unknown[]).length });
