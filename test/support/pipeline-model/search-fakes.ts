/**
 * The search side of the model: refusals injected into the in-memory engine, a port that remembers
 * every dead letter the pipeline wrote, and the CLI's readers of the dead-letter index and the
 * mirror, over the in-memory engine.
 */
import { parse } from 'lossless-json';
import type { DeadLetterSource, MirrorReader } from '../../../lambda/adapters/opensearch';
import { itemOfMirrorDocument, storedDeadLetter, type StoredDeadLetter, type WriteAction, type WriteOutcome } from '../../../lambda/core';
import type { SearchPort } from '../../../lambda/pipeline';
import { mirrorBackingIndex, tombstoneIndex, type IndexNames } from '../../../lambda/settings';
import type { InMemorySearch } from '../in-memory-search';

export const INDEXES: IndexNames = { changeLog: 'dynamodb-cdc', mirror: 'test-table', deadLetter: 'dynamodb-cdc-deadletter' };
export const MIRROR_INDEX = mirrorBackingIndex(INDEXES.mirror);
export const TOMBSTONE_INDEX = tombstoneIndex(INDEXES.mirror);

export type FaultOutcome = 'retry' | 'refused' | 'unindexable';

/**
 * The engine refuses the next `times` writes (every one during the step: `all`) of this role (of
 * any: undefined), of this item for mirror and tombstone writes.
 */
export interface Fault {
  readonly role?: WriteAction['role'];
  readonly outcome: FaultOutcome;
  readonly times: number | 'all';
  readonly id?: string;
}

export function describeFault({ role, outcome, times, id }: Fault): string {
  return `${outcome} ${times === 'all' ? 'every' : `${times}×`} ${role ?? 'write'}${id === undefined ? '' : ` of ${id}`}`;
}

/** The faults of one step, each used up as it fires. */
export class Faults {
  private active: { fault: Fault; left: number }[] = [];

  install(faults: readonly Fault[]): void {
    this.active = faults.map((fault) => ({ fault, left: fault.times === 'all' ? Infinity : fault.times }));
  }

  clear(): void {
    this.active = [];
  }

  readonly hook = (action: WriteAction): WriteOutcome | undefined => {
    const match = this.active.find(({ fault, left }) => left > 0 && fires(fault, action));
    if (match === undefined) return undefined;
    match.left--;
    return outcomeOf(match.fault.outcome);
  };
}

function fires(fault: Fault, action: WriteAction): boolean {
  if (fault.role !== undefined && fault.role !== action.role) return false;
  if (fault.outcome === 'unindexable' && action.operation !== 'put') return false; // a delete has no mapping to refuse
  return fault.id === undefined || (action.role !== 'mirror' && action.role !== 'tombstone') || fault.id === action.id;
}

function outcomeOf(outcome: FaultOutcome): WriteOutcome {
  switch (outcome) {
    case 'retry':
      return { kind: 'retry', reason: 'es_rejected_execution_exception: queue full' };
    case 'refused':
      return { kind: 'refused', reason: 'request_entity_too_large', errorType: 'request_entity_too_large', status: 413 };
    case 'unindexable':
      return { kind: 'unindexable', reason: 'mapper_parsing_exception: failed to parse field', errorType: 'mapper_parsing_exception' };
  }
}

/** A dead letter the pipeline wrote, as written. */
export interface WrittenDeadLetter {
  readonly id: string;
  readonly target: string;
  readonly eventId?: string;
  readonly eventName?: string;
  readonly recordJson: string;
}

/** The engine's port, remembering every dead letter written through it. */
export class RecordingPort implements SearchPort {
  readonly deadLetters = new Map<string, WrittenDeadLetter>();

  constructor(private readonly engine: InMemorySearch) {}

  readStates: SearchPort['readStates'] = (refs) => this.engine.readStates(refs);
  mappedFields: SearchPort['mappedFields'] = (index) => this.engine.mappedFields(index);
  fieldsMapped: SearchPort['fieldsMapped'] = (index, fields) => this.engine.fieldsMapped(index, fields);
  forgetMapping: SearchPort['forgetMapping'] = () => this.engine.forgetMapping();

  async write(actions: readonly WriteAction[]): Promise<WriteOutcome[]> {
    const outcomes = await this.engine.write(actions);
    actions.forEach((action, position) => {
      if (action.role !== 'dead-letter' || action.operation !== 'put' || outcomes[position].kind !== 'written') return;
      const document = JSON.parse(action.document);
      this.deadLetters.set(action.id, {
        id: action.id,
        target: document.target,
        eventId: document.event_id,
        eventName: document.event_name,
        recordJson: document.record_json,
      });
    });
    return outcomes;
  }
}

/** `cdc redrive`'s view of the dead-letter index (oldest first), over the in-memory engine. */
export class InMemoryDeadLetters {
  /** Ids re-drive cleared. */
  readonly cleared = new Set<string>();

  constructor(private readonly engine: InMemorySearch) {}

  private all() {
    return Object.entries(this.engine.sources(INDEXES.deadLetter))
      .map(([id, source]) => ({ id, source }))
      .sort((a, b) => a.source.failed_at.localeCompare(b.source.failed_at) || a.id.localeCompare(b.id));
  }

  /** One page: the model's dead letters are few. */
  async *pages(tableName: string): AsyncGenerator<StoredDeadLetter[]> {
    const letters = this.all()
      .filter(({ source }) => source.table_name === tableName)
      .map(({ id, source }) => storedDeadLetter(id, source as Parameters<typeof storedDeadLetter>[1]));
    if (letters.length > 0) yield letters;
  }

  async countOthers(tableName: string): Promise<number> {
    return this.all().filter(({ source }) => source.table_name !== tableName).length;
  }

  async delete(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      this.engine.delete(INDEXES.deadLetter, id);
      this.cleared.add(id);
    }
  }

  asStore(): DeadLetterSource {
    return this;
  }
}

/** A mirror document's item as `cdc verify` reads it: lossless numbers, bookkeeping left out. */
export function mirroredItem(source: Record<string, unknown>): Record<string, unknown> {
  return itemOfMirrorDocument(parse(JSON.stringify(source)) as Record<string, unknown>);
}

/** `cdc verify`'s reader of the mirror, over the in-memory engine. */
export function mirrorReader(engine: InMemorySearch): MirrorReader {
  const reader = {
    async items(ids: readonly string[]) {
      const sources = engine.sources(MIRROR_INDEX);
      return new Map(ids.filter((id) => Object.hasOwn(sources, id)).map((id) => [id, { item: mirroredItem(sources[id]) }]));
    },
    async *ids() {
      const ids = Object.keys(engine.sources(MIRROR_INDEX));
      if (ids.length > 0) yield ids;
    },
  };
  return reader as unknown as MirrorReader;
}
