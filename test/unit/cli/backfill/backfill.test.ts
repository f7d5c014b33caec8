/**
 * `cdc backfill` run after run, as the command runs it (start point from the checkpoint file, then
 * the Scan), over an in-memory table and mirror: a finished backfill is never resumed, so a second
 * one copies the table again into an emptied mirror; an interrupted one resumes where it stopped.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  backfill,
  MAX_PARALLEL_SEGMENTS,
  type BackfillResult,
  type BackfillTarget,
  readCheckpoint,
  startPoint,
} from '../../../../cli/backfill';
import type { AttributeMap } from '../../../../lambda/core';
import { compileRouting } from '../../../../lambda/core/routing';
import type { PipelineSettings } from '../../../../lambda/pipeline/apply-changes';
import { InMemorySearch } from '../../../support/in-memory-search';

const settings: PipelineSettings = {
  indexes: { changeLog: 'dynamodb-cdc', mirror: 'test-table', deadLetter: 'dynamodb-cdc-deadletter' },
  keySchema: { partitionKey: 'id' },
  changeLogPartitioning: 'none',
  writeChangeLog: false,
};
const MIRROR = 'test-table-v1';
const target: BackfillTarget = {
  table: 'test-table',
  incarnation: { id: 'table-1', createdAt: '2026-12-01T10:00:00.000Z' },
  mirror: 'test-table',
  mirrorIndexes: ['test-table-v1/uuid-1'],
};

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-backfill-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** A table that answers a parallel Scan: segment s holds the items at positions s, s + total, …; keys are positions. */
function tableOf(items: AttributeMap[]): { client: DynamoDBClient; pagesRead: () => number } {
  let pages = 0;
  const send = async (command: ScanCommand) => {
    pages++;
    const { Segment = 0, TotalSegments = 1, ExclusiveStartKey, Limit = 100 } = command.input;
    const positions = items.map((_, i) => i).filter((i) => i % TotalSegments === Segment);
    const after = ExclusiveStartKey ? positions.indexOf(Number((ExclusiveStartKey as { at: { N: string } }).at.N)) + 1 : 0;
    const page = positions.slice(after, after + Limit);
    const last = after + Limit < positions.length ? { at: { N: String(page[page.length - 1]) } } : undefined;
    return { Items: page.map((i) => items[i]), LastEvaluatedKey: last };
  };
  return { client: { send } as unknown as DynamoDBClient, pagesRead: () => pages };
}

const items = (count: number) => Array.from({ length: count }, (_, i): AttributeMap => ({ id: { S: `item-${i}` }, n: { N: String(i) } }));

/** One `cdc backfill` run: where to start, then the Scan; stopped after `stopAfterPages` pages when given. */
async function run(
  file: string,
  table: DynamoDBClient,
  mirror: InMemorySearch,
  stopAfterPages?: number,
  segments?: number,
): Promise<BackfillResult> {
  const start = startPoint(file, readCheckpoint(file), target, { segments, defaultSegments: 4 });
  let pages = 0;
  return backfill({
    dynamo: table,
    port: mirror,
    tableName: 'test-table',
    settings,
    checkpoint: start.checkpoint,
    pageSize: 10,
    checkpointFile: file,
    onPage: () => pages++,
    stopped: () => stopAfterPages !== undefined && pages >= stopAfterPages,
  });
}

describe('backfill run after run', () => {
  it('copies the table again into an emptied mirror after a finished backfill, and records when it finished', async () => {
    const file = path.join(work, 'again.json');
    const table = tableOf(items(95));
    const first = await run(file, table.client, new InMemorySearch());
    expect(first).toMatchObject({ complete: true, counts: { read: 95, written: 95 } });
    expect(readCheckpoint(file)?.finishedAt).toEqual(expect.any(String));

    const emptied = new InMemorySearch();
    const second = await run(file, table.client, emptied);
    expect(second).toMatchObject({ complete: true, counts: { read: 95, written: 95, skipped: 0 } });
    expect(Object.keys(emptied.sources(MIRROR))).toHaveLength(95);
  });

  it('after items were added, a new backfill reads them all and writes only the new ones', async () => {
    const file = path.join(work, 'added.json');
    const mirror = new InMemorySearch();
    await run(file, tableOf(items(40)).client, mirror);
    const grown = await run(file, tableOf(items(70)).client, mirror);
    expect(grown).toMatchObject({ complete: true, counts: { read: 70, written: 30, skipped: 40 } });
    expect(Object.keys(mirror.sources(MIRROR))).toHaveLength(70);
  });

  it('resumes an interrupted backfill where it stopped, reading no page twice', async () => {
    const file = path.join(work, 'interrupted.json');
    const mirror = new InMemorySearch();
    const table = tableOf(items(200));
    const stopped = await run(file, table.client, mirror, 6);
    expect(stopped.complete).toBe(false);
    expect(stopped.counts.read).toBeLessThan(200);
    const resumed = await run(file, table.client, mirror);
    expect(resumed).toMatchObject({ complete: true, counts: { read: 200, written: 200, skipped: 0 } });
    // 200 items in pages of 10: 20 pages in all, the ones in flight at the stop recorded before it.
    expect(table.pagesRead()).toBe(20);
  });

  it(`scans any number of segments with at most ${MAX_PARALLEL_SEGMENTS} in flight, and copies every item`, async () => {
    const file = path.join(work, 'many-segments.json');
    const table = tableOf(items(300));
    let inFlight = 0;
    let mostInFlight = 0;
    const counting = {
      send: async (command: ScanCommand) => {
        mostInFlight = Math.max(mostInFlight, ++inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        return table.client.send(command);
      },
    } as unknown as DynamoDBClient;
    const result = await run(file, counting, new InMemorySearch(), undefined, 1000);
    expect(result).toMatchObject({ complete: true, counts: { read: 300, written: 300 } });
    expect(mostInFlight).toBe(MAX_PARALLEL_SEGMENTS);
  });

  it('finishes past an item whose transform throws, and names it with the reason as dead-lettered (a run again would not change it)', async () => {
    const file = path.join(work, 'dead-letters.json');
    const rows = items(30);
    const mirror = new InMemorySearch();
    const routed: PipelineSettings = {
      ...settings,
      compiledRouting: compileRouting([{ index: 'numbers', transform: 'numbers.ts#checked' }], {}, () => (item) => {
        if (item.n === 7) throw new Error('seven is refused');
        return item;
      }),
    };
    const start = startPoint(file, readCheckpoint(file), target, { defaultSegments: 4 });
    const result = await backfill({
      dynamo: tableOf(rows).client,
      port: mirror,
      tableName: 'test-table',
      settings: routed,
      checkpoint: start.checkpoint,
      pageSize: 10,
      checkpointFile: file,
    });
    expect(result).toMatchObject({ complete: true, problems: [], counts: { read: 30, written: 29, failed: 1 } });
    expect(result.deadLettered).toEqual(['item-7: the transform numbers.ts#checked of mirror numbers threw: seven is refused']);
  });
});
