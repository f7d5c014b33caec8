/**
 * "Is it working?" from the facts `cdc status` gathers: failing when something needs an
 * operator, lagging when the mirror is behind the table, healthy otherwise. Pure, so each rule
 * is tested alone.
 */
export interface StatusFacts {
  readonly tableItems?: number;
  readonly mirrorItems?: number;
  readonly deadLetters?: number;
  readonly queueDepth?: number;
  readonly mappingState?: string;
  readonly mappingLastResult?: string;
  /** Several mirror indexes (routing): their items are not counted against the table's. */
  readonly routed?: boolean;
  /** Why OpenSearch or AWS could not be read. */
  readonly unreachable?: string;
}

export interface Verdict {
  readonly status: 'healthy' | 'lagging' | 'failing';
  readonly reason: string;
}

export function verdictOf(facts: StatusFacts): Verdict {
  if (facts.unreachable) return { status: 'failing', reason: facts.unreachable };
  if (facts.mappingState !== undefined && facts.mappingState !== 'Enabled') {
    return { status: 'failing', reason: `the event source mapping is ${facts.mappingState}, not Enabled: no change reaches OpenSearch` };
  }
  if (facts.mappingLastResult !== undefined && /fail|problem|error/i.test(facts.mappingLastResult)) {
    return { status: 'failing', reason: `the event source mapping's last result: ${facts.mappingLastResult}` };
  }
  if ((facts.queueDepth ?? 0) > 0) {
    return {
      status: 'failing',
      reason: `${facts.queueDepth} batch(es) ran out of retries and wait on the dead-letter queue: fix the cause, then cdc redrive`,
    };
  }
  if ((facts.deadLetters ?? 0) > 0) {
    return {
      status: 'failing',
      reason: `${facts.deadLetters} record(s) were refused and wait in the dead-letter index: read their reason, then cdc redrive (a letter of no table, a malformed record, cannot be re-driven: delete it once read)`,
    };
  }
  if (facts.tableItems !== undefined && facts.mirrorItems !== undefined && facts.tableItems > facts.mirrorItems) {
    return {
      status: 'lagging',
      reason: `the table holds ${facts.tableItems} item(s), the mirror ${facts.mirrorItems}: changes still in flight, or items written before the stream was enabled (they need a backfill)`,
    };
  }
  if (facts.tableItems !== undefined && facts.mirrorItems !== undefined && facts.tableItems < facts.mirrorItems) {
    return {
      status: 'lagging',
      reason: `the mirror holds ${facts.mirrorItems} item(s), the table ${facts.tableItems}: deletes still in flight, items made by manual invokes, or a table emptied while the mirror was kept (an emulator restarted)`,
    };
  }
  return {
    status: 'healthy',
    reason: facts.routed
      ? 'every change is applied: nothing waits for retry or re-drive (cdc verify checks that each mirror index holds the items that belong to it)'
      : 'every change is applied: nothing waits for retry or re-drive, and the mirror holds as many items as the table',
  };
}
