/**
 * One test that would have found them all: random interleavings of what users, the stream, the
 * function, the maintenance and the operator do (stream deliveries with duplicates, retries and
 * replays, backfills stopped and resumed, verify --repair, re-drives of dead letters and queue
 * pointers, tombstone purges, refusals by the engine, writers side by side), over a model table
 * and its stream, with a clock that advances hours at a time. After all pending work is drained,
 * the mirror must equal the table, the change log hold every stream change exactly once, and
 * nothing refused be lost (see test/support/pipeline-model/).
 */
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { scenarios } from '../../support/pipeline-model/commands';
import { changeLogAgainstStream, deadLettersRedriven, mirrorAgainstTable } from '../../support/pipeline-model/invariants';
import { ModelClock } from '../../support/pipeline-model/table';
import { World, type Quiescence } from '../../support/pipeline-model/world';

/** Per property: about 15 s each on a CI machine when nothing fails. */
const NUM_RUNS = Number(process.env.MODEL_RUNS ?? 1200);
/** Stories of up to 50 steps: a defect needs a few of them in the right order among many others. */
const stories = scenarios(50);

/** Everything but Date stays real: the model clock is the system clock, read by code that calls `new Date()`. */
const REAL_TIMERS = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'requestAnimationFrame',
  'cancelAnimationFrame',
  'requestIdleCallback',
  'cancelIdleCallback',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
] as const;

describe('the pipeline against a model table, once all pending work is drained', () => {
  let directory: string;
  let worlds = 0;
  const realSetTimeout = global.setTimeout;

  beforeAll(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-model-'));
    jest.useFakeTimers({ doNotFake: [...REAL_TIMERS] });
    // The CLI's backoff between retries is wall-clock time; in the model, time passes only as a step.
    jest.spyOn(global, 'setTimeout').mockImplementation(((callback: () => void) => realSetTimeout(callback, 0)) as never);
  });

  afterAll(() => {
    jest.restoreAllMocks();
    jest.useRealTimers();
    fs.rmSync(directory, { recursive: true, force: true });
  });

  /** The property that these checks find nothing after the scenario's steps and the drain. */
  function holdsAfterDrain(check: (world: World, quiet: Quiescence) => string[]) {
    return fc.asyncProperty(stories, async (story) => {
      const clock = new ModelClock(undefined, (now) => jest.setSystemTime(now));
      const world = new World(clock, path.join(directory, `checkpoint-${worlds++}.json`));
      await fc.asyncModelRun(() => ({ model: world, real: world }), story);
      const found = check(world, await world.quiesce());
      if (found.length > 0) throw new Error(`after all pending work was drained:\n  ${found.join('\n  ')}`);
    });
  }

  it('ends with the mirror equal to the table and every stream change in the change log exactly once', async () => {
    await fc.assert(
      holdsAfterDrain((world, quiet) => [...mirrorAgainstTable(world), ...changeLogAgainstStream(world, quiet)]),
      { numRuns: NUM_RUNS },
    );
  }, 120_000);

  it('loses nothing refused: once the engine accepts everything, re-drive writes every dead letter and clears it', async () => {
    await fc.assert(
      holdsAfterDrain((world) => deadLettersRedriven(world)),
      { numRuns: NUM_RUNS },
    );
  }, 120_000);
});
