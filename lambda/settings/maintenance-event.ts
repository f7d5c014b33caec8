/**
 * The event a schedule sends to the function to prune: change-log partitions past their retention
 * and tombstones past theirs. The function's own stream batches never look like it.
 */
export const MAINTENANCE_EVENT = { cdcMaintenance: 'prune' } as const;

export function isMaintenanceEvent(event: unknown): event is typeof MAINTENANCE_EVENT {
  return (
    typeof event === 'object' && event !== null && (event as Record<string, unknown>).cdcMaintenance === MAINTENANCE_EVENT.cdcMaintenance
  );
}
