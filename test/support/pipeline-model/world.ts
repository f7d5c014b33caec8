/**
 * The world of the pipeline model: the table and its stream (the truth), the in-memory engine with
 * the pipeline's indexes, Lambda's event source, the SQS dead-letter queue, and the operator's CLI
 * (backfill, verify --repair, redrive) and the maintenance, each run through the project's own
 * code over fakes of the AWS clients. Every step a user or the system takes is a method here.
 */
import * as fs from 'node:fs';
import { backfill, startPoint, type BackfillTarget, type Checkpoint } from '../../../cli/backfill';
import { emptyReport, redriveDeadLetters, redriveQueue, type RedriveDependencies, type RedriveReport } from '../../../cli/redrive';
import { repair, type Difference, type RepairResult } from '../../../cli/sync';
import { verify } from '../../../cli/verify';
import { compareSequenceNumbers, documentId, refKey, toChangeRecord, type Revision } from '../../../lambda/core';
import { applyChanges, AS_THE_FUNCTION_WRITES, purgeTombstones, type PipelineSettings } from '../../../lambda/pipeline';
import { InMemorySearch } from '../in-memory-search';
import { fakeDynamo, fakeStreams, FakeQueue } from './aws-fakes';
import { EventSource } from './event-source';
import {
  Faults,
  INDEXES,
  InMemoryDeadLetters,
  MIRROR_INDEX,
  mirrorReader,
  RecordingPort,
  TOMBSTONE_INDEX,
  type Fault,
} from './search-fakes';
import { HOUR, keyOf, KEY_SCHEMA, lambdaRecord, ModelClock, ModelTable, TABLE, type StreamChange } from './table';

/** The function's tombstone retention: the lowest the settings allow. */
export const TOMBSTONE_RETENTION_HOURS = 25;
/** Items in the table before its stream was enabled. */
export const EXISTING_KEYS = ['a', 'b'];

/** What the deployed function's settings give the CLI (and the function). */
const CLI_SETTINGS: PipelineSettings = { indexes: INDEXES, keySchema: KEY_SCHEMA, tableName: TABLE, changeLogPartitioning: 'daily' };
/** The function: the stream hands it each item's changes in order, one batch at a time; it writes them without a read. */
const FUNCTION_SETTINGS: PipelineSettings = { ...CLI_SETTINGS, ...AS_THE_FUNCTION_WRITES };
/** The table and mirror a backfill copies between: one incarnation of each, for the whole story. */
const BACKFILL_TARGET: BackfillTarget = {
  table: TABLE,
  incarnation: { id: 'model' },
  mirror: INDEXES.mirror,
  mirrorIndexes: [MIRROR_INDEX],
};

export interface BackfillRun {
  readonly segments: number;
  readonly pageSize: number;
  /** Stopped (Ctrl-C) after this many pages; undefined runs to the end. */
  readonly stopAfterPages?: number;
}

/** What happens beside an operator's step, at its first read of the engine: a user writes, the function delivers a batch. */
export interface Beside {
  readonly userPuts?: string;
  readonly batch: number;
}

export class World {
  readonly table: ModelTable;
  readonly engine = new InMemorySearch();
  readonly port = new RecordingPort(this.engine);
  readonly faults = new Faults();
  readonly queue = new FakeQueue();
  readonly deadLetters = new InMemoryDeadLetters(this.engine);
  readonly eventSource: EventSource;
  private readonly dynamo;
  private readonly streams;
  /** A backfill went through every segment: the items from before the stream were all read once. */
  backfillFinished = false;
  /** The event ids the function gave the records invoked by hand. */
  readonly manualEventIds = new Set<string>();
  private maintenanceRanAt: number;

  constructor(
    readonly clock: ModelClock,
    private readonly checkpointFile: string,
  ) {
    this.table = new ModelTable(clock, EXISTING_KEYS);
    this.maintenanceRanAt = clock.now;
    this.dynamo = fakeDynamo(this.table);
    this.streams = fakeStreams(this.table);
    this.engine.fault = this.faults.hook;
    this.engine.clock = () => this.clock.now; // deletes' versions forgotten as hours pass (gc_deletes)
    this.eventSource = new EventSource(this.table, clock, this.queue, (batch) => this.invokeFunction(batch.map(lambdaRecord)));
  }

  // --- the function and the maintenance ---

  private invokeFunction(records: readonly object[]) {
    return applyChanges(records, FUNCTION_SETTINGS, this.port, () => this.clock.date());
  }

  /** A manual test invoke (README): the item as the table holds it now, with no sequence number, time or event id. */
  async invokeByHand(key: string): Promise<void> {
    const item = this.table.items.get(key);
    if (item === undefined) return;
    const record = { eventName: 'INSERT', dynamodb: { Keys: keyOf(key), NewImage: structuredClone(item) } };
    this.manualEventIds.add(toChangeRecord(record, { receivedAt: this.clock.date() }).eventId);
    await this.invokeFunction([record]);
  }

  /** Time passes; the daily maintenance (the construct's default schedule) runs whenever a day has passed since its last run. */
  async hoursPass(hours: number): Promise<void> {
    this.clock.advance(hours);
    if (this.clock.now - this.maintenanceRanAt >= 24 * HOUR) await this.runMaintenance();
  }

  /** The maintenance's rule: tombstones older than the retention are purged (through the pipeline's port). */
  async runMaintenance(): Promise<void> {
    this.maintenanceRanAt = this.clock.now;
    const cutoff = this.clock.hoursAgo(TOMBSTONE_RETENTION_HOURS);
    const expired = Object.entries(this.engine.sources(TOMBSTONE_INDEX)).filter(([, source]) => Date.parse(source._cdc.timestamp) < cutoff);
    if (expired.length === 0) return;
    const states = await this.engine.readStates(expired.map(([id]) => ({ index: TOMBSTONE_INDEX, id })));
    const tombstones = expired.map(([id, source]) => ({
      id,
      revision: states.get(refKey({ index: TOMBSTONE_INDEX, id }))?.revision ?? ('0' as Revision),
      sequenceNumber: source._cdc.sequence_number as string,
    }));
    await purgeTombstones(tombstones, { mirror: MIRROR_INDEX, tombstones: TOMBSTONE_INDEX }, this.port);
  }

  // --- the operator's CLI ---

  /** `cdc backfill --restart` (a fresh checkpoint), perhaps stopped part way. */
  async backfill(run: BackfillRun): Promise<void> {
    const start = startPoint(this.checkpointFile, undefined, BACKFILL_TARGET, {
      segments: run.segments,
      defaultSegments: 1,
      restart: true,
    });
    await this.runBackfill(start.checkpoint, run.pageSize, run.stopAfterPages);
  }

  /** `cdc backfill` again, as the operator runs it: resumes a stopped one, starts a finished one over. */
  async resumeBackfill(): Promise<void> {
    const start = startPoint(this.checkpointFile, this.savedCheckpoint(), BACKFILL_TARGET, { defaultSegments: 1 });
    await this.runBackfill(start.checkpoint, 2);
  }

  private async runBackfill(checkpoint: Checkpoint, pageSize: number, stopAfterPages?: number): Promise<void> {
    let pages = 0;
    await backfill({
      dynamo: this.dynamo,
      port: this.port,
      tableName: TABLE,
      settings: { ...CLI_SETTINGS, writeChangeLog: false },
      checkpoint,
      pageSize,
      checkpointFile: this.checkpointFile,
      stopped: () => stopAfterPages !== undefined && pages++ >= stopAfterPages,
      pageTries: 2,
    });
    if (this.savedCheckpoint()?.segments.every((segment) => segment.done)) this.backfillFinished = true;
  }

  /** The checkpoint file, if a backfill got as far as one page. */
  private savedCheckpoint(): Checkpoint | undefined {
    return fs.existsSync(this.checkpointFile) ? (JSON.parse(fs.readFileSync(this.checkpointFile, 'utf8')) as Checkpoint) : undefined;
  }

  /** `cdc verify --repair`: what verify finds different, put right by the repair rule. */
  async verifyAndRepair(): Promise<RepairResult | undefined> {
    const found = await verify({ dynamo: this.dynamo, mirror: mirrorReader(this.engine), tableName: TABLE, keySchema: KEY_SCHEMA });
    const { missing, different, extra } = found.report;
    const differences = [...missing, ...different, ...extra].map((id) => ({ id, key: found.keys.get(id) }));
    return differences.length === 0 ? undefined : this.repair(differences);
  }

  private repair(differences: readonly Difference[]): Promise<RepairResult> {
    return repair(differences, {
      dynamo: this.dynamo,
      port: this.port,
      mirror: mirrorReader(this.engine),
      tableName: TABLE,
      settings: CLI_SETTINGS,
    });
  }

  /** `cdc redrive --no-index-redrive`: the queue's pointers, read back from the stream. */
  async redriveQueue(report: RedriveReport = emptyReport()): Promise<RedriveReport> {
    await redriveQueue(this.queue.url, this.redriveDependencies(), report);
    this.queue.timeoutPasses();
    return report;
  }

  /** `cdc redrive --no-queue-redrive`: the dead-letter index. */
  async redriveDeadLetters(report: RedriveReport = emptyReport()): Promise<RedriveReport> {
    await redriveDeadLetters(this.redriveDependencies(), report);
    return report;
  }

  private redriveDependencies(): RedriveDependencies {
    return {
      tombstoneRetentionHours: TOMBSTONE_RETENTION_HOURS,
      repairMirror: (items) => this.repair(items),
      sqs: this.queue.client,
      streams: this.streams,
      port: this.port,
      deadLetters: this.deadLetters.asStore(),
      settings: CLI_SETTINGS,
      tableName: TABLE,
      log: () => undefined,
      clock: () => this.clock.date(),
      readOptions: { minBackoffMs: 0, maxBackoffMs: 0, sleep: async () => undefined },
    };
  }

  // --- steps with refusals, and writers side by side ---

  /** Runs a step with these refusals by the engine, and what happens beside it (at its first read of the engine). */
  async withFaults(faults: readonly Fault[], step: () => Promise<unknown>, beside?: Beside): Promise<void> {
    this.faults.install(faults);
    let delivery: Promise<void> | undefined;
    if (beside !== undefined) {
      this.engine.afterRead = () => {
        this.engine.afterRead = () => undefined;
        if (beside.userPuts !== undefined) this.table.put(beside.userPuts);
        delivery = this.eventSource.deliverNextBatch(beside.batch);
      };
    }
    try {
      await step();
      await delivery;
    } finally {
      this.engine.afterRead = () => undefined;
      this.faults.clear();
    }
  }

  // --- quiescence ---

  /**
   * All pending work drained, the engine accepting everything: the function catches up with the
   * stream, the operator re-drives the queue and the dead-letter index (the maintenance may run
   * before each), puts right from the table the items of pointers the stream can no longer read
   * (their changes are gone: verify --repair is the documented way), and backfills unless a
   * backfill went through every segment.
   */
  async quiesce(): Promise<Quiescence> {
    this.faults.clear();
    while (!this.eventSource.caughtUp) await this.eventSource.deliverNextBatch(10);
    await this.runMaintenance();
    const report = await this.redriveQueue();
    await this.runMaintenance();
    await this.redriveDeadLetters(report);
    const lost = this.unreadablePointers();
    const lostKeys = [...new Set(lost.map((change) => change.keys.pk.S!))];
    if (lostKeys.length > 0) await this.repair(lostKeys.map((key) => ({ id: documentId(keyOf(key), KEY_SCHEMA), key: keyOf(key) })));
    if (!this.backfillFinished) await this.backfill({ segments: 1, pageSize: 10 });
    return { report, lost };
  }

  /** The changes of the pointers still on the queue (their range is trimmed from the stream). */
  private unreadablePointers(): StreamChange[] {
    return this.queue.messages.flatMap((message) => {
      const { startSequenceNumber, endSequenceNumber } = JSON.parse(message.Body).DDBStreamBatchInfo;
      return this.table.changes.filter(
        (change) =>
          compareSequenceNumbers(change.sequenceNumber, startSequenceNumber) >= 0 &&
          compareSequenceNumbers(change.sequenceNumber, endSequenceNumber) <= 0,
      );
    });
  }
}

export interface Quiescence {
  readonly report: RedriveReport;
  /** Stream changes lost for a documented reason: their pointer outlived the stream's retention. */
  readonly lost: readonly StreamChange[];
}
