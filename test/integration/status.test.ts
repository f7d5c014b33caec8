/**
 * `cdc status --json` on the real engines: the counts it reports are the ones the engines hold,
 * its verdict follows them, and with OpenSearch unreachable it says failing, and why.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { verdictOf } from '../../cli/status/verdict';
import { countItems } from '../../cli/target/table-items';
import { DEAD_LETTER, dynamo, MIRROR, search, TABLE } from '../support/live-system';

const client = dynamo();
const opensearch = search();

afterAll(async () => {
  client.destroy();
  await opensearch.close();
});

function status(...flags: string[]) {
  const run = spawnSync(process.execPath, [path.join(__dirname, '..', '..', 'bin', 'cdc.js'), '--local', ...flags, 'status', '--json'], { env: process.env, encoding: 'utf8', timeout: 120_000 });
  return { ...run, report: run.stdout ? JSON.parse(run.stdout) : undefined };
}

it('reports the counts the engines hold, and the verdict they call for', async () => {
  const { report, status: exitCode, stderr } = status();
  expect(stderr).toBe('');
  expect(report.table).toMatchObject({ name: TABLE, counted: 'scan', items: await countItems(client, TABLE) });
  await opensearch.indices.refresh({ index: [MIRROR, DEAD_LETTER].join(',') });
  expect(report.opensearch.mirrorItems).toBe((await opensearch.count({ index: MIRROR })).body.count);
  expect(report.opensearch.deadLetters).toBe((await opensearch.count({ index: DEAD_LETTER })).body.count);
  expect(report.opensearch.changes.INSERT).toBeGreaterThan(0);
  expect(report.eventSourceMapping.state).toBe('Enabled');
  expect(report.deadLetterQueue.visible).toEqual(expect.any(Number));
  const expected = verdictOf({
    tableItems: report.table.items,
    mirrorItems: report.opensearch.mirrorItems,
    deadLetters: report.opensearch.deadLetters,
    queueDepth: report.deadLetterQueue.visible,
    mappingState: report.eventSourceMapping.state,
    mappingLastResult: report.eventSourceMapping.lastResult,
  });
  expect(report.verdict).toEqual(expected);
  expect(exitCode).toBe({ healthy: 0, failing: 1, lagging: 2 }[expected.status as 'healthy' | 'failing' | 'lagging']);
});

it('says failing, and why, when OpenSearch is down', () => {
  const { report, status: exitCode } = status('--opensearch', 'http://localhost:1');
  expect(exitCode).toBe(1);
  expect(report.opensearch.error).toMatch(/ECONNREFUSED/);
  expect(report.verdict).toEqual({ status: 'failing', reason: expect.stringMatching(/^OpenSearch cannot be read at http:\/\/localhost:1/) });
});
