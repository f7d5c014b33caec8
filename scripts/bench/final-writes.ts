/**
 * The documents the batch path ends up with, built ahead of time and written without conditions,
 * for the peers it is compared with: the change-log document of every record, and the mirror's
 * final state of each item (its document, or its tombstone and the delete of its document). The
 * core plans them (planMirrorWrites), against a model of what the mirror holds after the batches
 * before, so they are the very documents the batch path writes; only the conditions are dropped.
 */
import {
  boundedId,
  changeLogPartition,
  documentId,
  planMirrorWrites,
  refKey,
  toChangeLogDocument,
  toChangeRecord,
  type ChangeRecord,
  type MirrorEntry,
  type MirrorIndexes,
  type RawStreamRecord,
  type Revision,
  type StoredState,
  type WriteAction,
} from '../../lambda/core';
import type { PipelineSettings } from '../../lambda/pipeline';
import { mirrorBackingIndex, tombstoneIndex } from '../../lambda/settings';

const ANY_REVISION = '1:1' as Revision;

export class FinalWrites {
  private readonly states = new Map<string, StoredState>();
  private readonly indexes: MirrorIndexes;

  constructor(
    private readonly settings: PipelineSettings,
    private readonly receivedAt = new Date(),
  ) {
    this.indexes = { mirror: mirrorBackingIndex(settings.indexes.mirror), tombstones: tombstoneIndex(settings.indexes.mirror) };
  }

  /** A batch's writes, as one `_bulk` request would carry them: tombstones, then change log (unless not written) and mirror. */
  ofBatch(raws: readonly RawStreamRecord[]): WriteAction[] {
    const entries = raws.map((raw, position) => this.entry(raw, position));
    const mirror = this.mirrorWrites(entries);
    return [
      ...mirror.filter((write) => write.role === 'tombstone'),
      ...entries.flatMap((entry) => this.changeLog(entry.record)),
      ...mirror.filter((write) => write.role !== 'tombstone'),
    ];
  }

  /** One record's writes, in the order a writer without batches sends them: change log, tombstone, mirror. */
  ofRecord(raw: RawStreamRecord): WriteAction[] {
    const entry = this.entry(raw, 0);
    const mirror = this.mirrorWrites([entry]);
    return [
      ...this.changeLog(entry.record),
      ...mirror.filter((write) => write.role === 'tombstone'),
      ...mirror.filter((write) => write.role !== 'tombstone'),
    ];
  }

  private entry(raw: RawStreamRecord, position: number): MirrorEntry {
    const record = toChangeRecord(raw, { receivedAt: this.receivedAt });
    return { position, record, id: documentId(record.keys, this.settings.keySchema) };
  }

  /** The record's change-log document, unless the pipeline writes none (a backfill). */
  private changeLog(record: ChangeRecord): WriteAction[] {
    const { indexes, changeLogPartitioning, writeChangeLog } = this.settings;
    if (writeChangeLog === false) return [];
    const write: WriteAction = {
      operation: 'put',
      role: 'change-log',
      index: changeLogPartitioning === 'daily' ? changeLogPartition(indexes.changeLog, record.approximateCreationTime) : indexes.changeLog,
      id: boundedId(record.eventId),
      condition: { kind: 'any' },
      document: JSON.stringify(toChangeLogDocument(record, this.receivedAt)),
      records: [0],
    };
    return [write];
  }

  /** The plan's writes without conditions; the model then holds what they leave. */
  private mirrorWrites(entries: readonly MirrorEntry[]): WriteAction[] {
    const writes: WriteAction[] = [];
    for (const planned of planMirrorWrites(entries, this.states, this.indexes).writes) {
      const sequenceNumber = planned.entry.record.sequenceNumber;
      for (const action of [planned.tombstone, planned.mirror]) {
        if (action === undefined) continue;
        writes.push({ ...action, condition: { kind: 'any' } });
        const key = refKey(action);
        if (action.operation === 'delete') this.states.delete(key);
        else this.states.set(key, { revision: ANY_REVISION, sequenceNumber });
      }
    }
    return writes;
  }
}
