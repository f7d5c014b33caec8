/**
 * The steps of the pipeline model, each named after what a user or the system does, and their
 * generators. Every step applies in any state (one with nothing to do does nothing), so fast-check
 * can drop any of them while shrinking.
 */
import fc from 'fast-check';
import type { WriteAction } from '../../../lambda/core';
import { STREAM_RETENTION_HOURS } from './table';
import { describeFault, type Fault, type FaultOutcome } from './search-fakes';
import { EXISTING_KEYS, TOMBSTONE_RETENTION_HOURS, type BackfillRun, type Beside, type World } from './world';

export const KEYS = [...EXISTING_KEYS, 'c'];

type Step = fc.AsyncCommand<World, World>;

abstract class WorldStep implements Step {
  check(): boolean {
    return true;
  }

  abstract run(model: World, world: World): Promise<void>;
  abstract toString(): string;
}

/** A step that can meet refusals by the engine, and (an operator's step) a user and the function writing beside it. */
abstract class FallibleStep extends WorldStep {
  constructor(
    readonly faults: readonly Fault[],
    readonly beside?: Beside,
  ) {
    super();
  }

  protected circumstances(): string {
    const parts = this.faults.map(describeFault);
    if (this.beside?.userPuts !== undefined) parts.push(`user puts ${this.beside.userPuts} beside`);
    if (this.beside !== undefined) parts.push(`function delivers up to ${this.beside.batch} beside`);
    return parts.length === 0 ? '' : ` [${parts.join(', ')}]`;
  }
}

export class UserPutsItem extends WorldStep {
  constructor(readonly key: string) {
    super();
  }
  async run(_: World, world: World) {
    world.table.put(this.key);
  }
  toString() {
    return `user puts ${this.key}`;
  }
}

export class UserDeletesItem extends WorldStep {
  constructor(readonly key: string) {
    super();
  }
  async run(_: World, world: World) {
    world.table.delete(this.key);
  }
  toString() {
    return `user deletes ${this.key}`;
  }
}

/** Time passes (the daily maintenance runs whenever a day has passed since its last run). */
export class HoursPass extends WorldStep {
  constructor(readonly hours: number) {
    super();
  }
  async run(_: World, world: World) {
    await world.hoursPass(this.hours);
  }
  toString() {
    return `${this.hours} h pass`;
  }
}

/** DynamoDB trims what is older than 24 h (Lambda first skips its expired records to the queue). */
export class StreamTrimsOldRecords extends WorldStep {
  async run(_: World, world: World) {
    world.eventSource.skipExpired();
    world.table.trimOlderThan(world.clock.hoursAgo(STREAM_RETENTION_HOURS));
  }
  toString() {
    return 'stream trims records older than 24 h';
  }
}

/** The maintenance run by hand (or by a more frequent schedule). */
export class MaintenancePurgesTombstones extends WorldStep {
  async run(_: World, world: World) {
    await world.runMaintenance();
  }
  toString() {
    return `maintenance purges tombstones older than ${TOMBSTONE_RETENTION_HOURS} h`;
  }
}

export class StreamDeliversNextBatch extends FallibleStep {
  constructor(
    readonly size: number,
    faults: readonly Fault[],
  ) {
    super(faults);
  }
  async run(_: World, world: World) {
    await world.withFaults(this.faults, () => world.eventSource.deliverNextBatch(this.size));
  }
  toString() {
    return `stream delivers up to ${this.size}${this.circumstances()}`;
  }
}

export class StreamDeliversOldBatchAgain extends FallibleStep {
  constructor(
    readonly back: number,
    readonly size: number,
    faults: readonly Fault[],
  ) {
    super(faults);
  }
  async run(_: World, world: World) {
    await world.withFaults(this.faults, () => world.eventSource.deliverAgain(this.back, this.size));
  }
  toString() {
    return `stream delivers again up to ${this.size} from ${this.back} back${this.circumstances()}`;
  }
}

export class UserInvokesFunctionByHand extends FallibleStep {
  constructor(
    readonly key: string,
    faults: readonly Fault[],
  ) {
    super(faults);
  }
  async run(_: World, world: World) {
    await world.withFaults(this.faults, () => world.invokeByHand(this.key));
  }
  toString() {
    return `user invokes the function by hand with ${this.key} as it is${this.circumstances()}`;
  }
}

export class OperatorBackfills extends FallibleStep {
  constructor(
    readonly backfill: BackfillRun,
    faults: readonly Fault[],
    beside?: Beside,
  ) {
    super(faults, beside);
  }
  async run(_: World, world: World) {
    await world.withFaults(this.faults, () => world.backfill(this.backfill), this.beside);
  }
  toString() {
    const { segments, pageSize, stopAfterPages } = this.backfill;
    const stopped = stopAfterPages === undefined ? '' : `, stopped after ${stopAfterPages} page(s)`;
    return `operator backfills (${segments} segment(s), pages of ${pageSize}${stopped})${this.circumstances()}`;
  }
}

export class OperatorResumesBackfill extends FallibleStep {
  async run(_: World, world: World) {
    await world.withFaults(this.faults, () => world.resumeBackfill(), this.beside);
  }
  toString() {
    return `operator resumes the backfill from its checkpoint${this.circumstances()}`;
  }
}

export class OperatorVerifiesAndRepairs extends FallibleStep {
  async run(_: World, world: World) {
    await world.withFaults(this.faults, () => world.verifyAndRepair(), this.beside);
  }
  toString() {
    return `operator runs verify --repair${this.circumstances()}`;
  }
}

export class OperatorRedrivesDeadLetters extends FallibleStep {
  async run(_: World, world: World) {
    await world.withFaults(this.faults, () => world.redriveDeadLetters(), this.beside);
  }
  toString() {
    return `operator redrives the dead-letter index${this.circumstances()}`;
  }
}

export class OperatorRedrivesQueue extends FallibleStep {
  async run(_: World, world: World) {
    await world.withFaults(this.faults, () => world.redriveQueue(), this.beside);
  }
  toString() {
    return `operator redrives the queue's pointers${this.circumstances()}`;
  }
}

// --- generators ---

const key = fc.constantFrom(...KEYS);
const role = fc.oneof(
  { weight: 3, arbitrary: fc.constant<WriteAction['role']>('mirror') },
  { weight: 2, arbitrary: fc.constantFrom<WriteAction['role']>('tombstone', 'change-log') },
  { weight: 1, arbitrary: fc.constant<WriteAction['role']>('dead-letter') },
);
const OUTCOMES: FaultOutcome[] = ['refused', 'retry', 'unindexable'];

const fault: fc.Arbitrary<Fault> = fc.oneof(
  // OpenSearch unreachable for the whole step.
  { weight: 1, arbitrary: fc.constant<Fault>({ outcome: 'retry', times: 'all' }) },
  {
    weight: 3,
    arbitrary: fc.record(
      { role, outcome: fc.constantFrom(...OUTCOMES), times: fc.oneof(fc.constant<'all'>('all'), fc.integer({ min: 1, max: 2 })), id: key },
      { requiredKeys: ['role', 'outcome', 'times'] },
    ),
  },
);
const faults = fc.array(fault, { maxLength: 2 });
const beside: fc.Arbitrary<Beside | undefined> = fc.option(
  fc.record({ userPuts: key, batch: fc.integer({ min: 1, max: 3 }) }, { requiredKeys: ['batch'] }),
  { nil: undefined },
);
const batchSize = fc.integer({ min: 1, max: 4 });

const backfillRun: fc.Arbitrary<BackfillRun> = fc.record(
  {
    segments: fc.integer({ min: 1, max: 2 }),
    pageSize: fc.integer({ min: 1, max: 2 }),
    stopAfterPages: fc.integer({ min: 0, max: 2 }),
  },
  { requiredKeys: ['segments', 'pageSize'] },
);

/** One step, anything a user or the system does, weighted so that long stories of deletes, time and refusals are common. */
export const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: key.map((k) => new UserPutsItem(k)) },
  { weight: 3, arbitrary: key.map((k) => new UserDeletesItem(k)) },
  {
    weight: 3,
    arbitrary: fc.oneof(fc.constant(TOMBSTONE_RETENTION_HOURS + 1), fc.integer({ min: 1, max: 12 })).map((h) => new HoursPass(h)),
  },
  { weight: 1, arbitrary: fc.constant(new StreamTrimsOldRecords()) },
  { weight: 3, arbitrary: fc.constant(new MaintenancePurgesTombstones()) },
  { weight: 6, arbitrary: fc.tuple(batchSize, faults).map(([size, f]) => new StreamDeliversNextBatch(size, f)) },
  {
    weight: 1,
    arbitrary: fc.tuple(batchSize, batchSize, faults).map(([back, size, f]) => new StreamDeliversOldBatchAgain(back, size, f)),
  },
  { weight: 2, arbitrary: fc.tuple(key, faults).map(([k, f]) => new UserInvokesFunctionByHand(k, f)) },
  { weight: 2, arbitrary: fc.tuple(backfillRun, faults, beside).map(([run, f, b]) => new OperatorBackfills(run, f, b)) },
  { weight: 1, arbitrary: fc.tuple(faults, beside).map(([f, b]) => new OperatorResumesBackfill(f, b)) },
  { weight: 2, arbitrary: fc.tuple(faults, beside).map(([f, b]) => new OperatorVerifiesAndRepairs(f, b)) },
  { weight: 1, arbitrary: fc.tuple(faults, beside).map(([f, b]) => new OperatorRedrivesDeadLetters(f, b)) },
  { weight: 1, arbitrary: fc.tuple(faults, beside).map(([f, b]) => new OperatorRedrivesQueue(f, b)) },
);

/** A story: steps in order, printed one a line. */
export class Scenario implements Iterable<Step> {
  constructor(readonly steps: readonly Step[]) {}

  [Symbol.iterator]() {
    return this.steps[Symbol.iterator]();
  }

  toString() {
    return `\n  ${this.steps.map(String).join('\n  ')}\n`;
  }
}

/** Stories of up to `maxSteps` steps (an array, not fc.commands: its shrinking never drops the last step). */
export function scenarios(maxSteps: number): fc.Arbitrary<Scenario> {
  return fc.array(step, { maxLength: maxSteps, size: 'large' }).map((steps) => new Scenario(steps));
}
