/**
 * The table and the mirror agree after every kind of restart of the local runner: `cdc verify`
 * right after `up` exits 0. Starts and stops its own engines (on AWS_ENDPOINT_URL and
 * OPENSEARCH_URL, with CDC_EMULATOR's emulator), so nothing else may run there:
 *   down + up; kill -9 of the emulator + up; kill -9 of both engines + up; Ctrl-C of `npm start` +
 *   `npm start`; and, with the table holding items, that nothing is emptied (same table, or an
 *   unrecorded mirror). About 5 minutes on MiniStack. `npm run test:restart`; with arguments, only
 *   the scenarios whose names contain one of them (CI: `npm run test:restart -- 'npm run down'`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DEFAULT_NAMES } from '../lambda/settings';
import {
  down,
  endpointsFromEnv,
  isAlive,
  matchMirrorToTable,
  MIRROR_SOURCE_INDEX,
  PROJECT_ROOT,
  readState,
  sdkClientConfig,
  sleep,
  up,
} from '../local';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const endpoints = endpointsFromEnv();
const t0 = Date.now();
const log = (line: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${line}`);

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(what);
}

/** `npx cdc --local verify`: its exit status and output. */
function verify(): { status: number | null; output: string } {
  const result = spawnSync('npx', ['cdc', '--local', 'verify'], { cwd: PROJECT_ROOT, encoding: 'utf8', env: process.env });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

async function verifiedSoon(timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = verify();
  while (last.status !== 0 && Date.now() < deadline) {
    await sleep(1000);
    last = verify();
  }
  check(last.status === 0, `the mirror did not catch up with the table:\n${last.output}`);
  return last.output;
}

async function write(prefix: string, count: number): Promise<void> {
  const client = new DynamoDBClient(sdkClientConfig(endpoints));
  try {
    for (let start = 0; start < count; start += 25) {
      const items = Array.from({ length: Math.min(25, count - start) }, (_, i) => ({
        PutRequest: { Item: { id: { S: `${prefix}-${start + i}` }, n: { N: String(start + i) } } },
      }));
      await client.send(new BatchWriteItemCommand({ RequestItems: { [DEFAULT_NAMES.tableName]: items } }));
    }
  } finally {
    client.destroy();
  }
}

async function upAndSay(): Promise<string[]> {
  const lines: string[] = [];
  await up((line) => {
    lines.push(line);
    log(`  up: ${line.trim()}`);
  });
  return lines;
}

/** Up, then `cdc verify` at once: exit 0, both empty, and `up` said why. */
async function expectBothEmptyAfterUp(): Promise<void> {
  const lines = await upAndSay();
  const result = verify();
  log(`  verify right after up (exit ${result.status}): ${result.output.replace(/\n/g, ' | ')}`);
  check(result.status === 0, 'cdc verify right after up did not exit 0');
  check(/checked 0 item\(s\).*\(0 document\(s\)\)/.test(result.output), 'the table and the mirror should both be empty');
  check(
    lines.some((line) => /new and empty/.test(line)),
    'up did not say that the table is new',
  );
}

async function fill(prefix: string, count: number): Promise<void> {
  await write(prefix, count);
  const output = await verifiedSoon();
  log(`  wrote ${count} items, mirrored: ${output.split('\n')[0]}`);
}

async function killEngines(names: string[]): Promise<void> {
  for (const engine of readState()?.engines ?? []) {
    if (!names.includes(engine.name)) continue;
    process.kill(-engine.pid, 'SIGKILL');
    while (isAlive(engine.pid)) await sleep(50);
    log(`  kill -9 ${engine.name} (process group ${engine.pid})`);
  }
}

/** `npm start` in its own process group (as a terminal runs it), until it prints `running;`. */
async function npmStart(): Promise<{ pid: number; exited: Promise<number | null>; output: () => string }> {
  const child = spawn('npm', ['start'], { cwd: PROJECT_ROOT, env: process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 300_000;
  while (!/running; Ctrl-C/.test(output)) {
    check(Date.now() < deadline && child.exitCode === null, `npm start did not come up:\n${output}`);
    await sleep(250);
  }
  for (const line of output.split('\n').filter((text) => /new and empty|emptied|kept|CDC ready/.test(text)))
    log(`  npm start: ${line.trim()}`);
  return { pid: child.pid!, exited, output: () => output };
}

async function mirrorDocuments(): Promise<number> {
  const response = await fetch(`${endpoints.openSearch}/${DEFAULT_NAMES.mirrorIndex}/_count`);
  return ((await response.json()) as { count: number }).count;
}

const scenarios: [string, () => Promise<void>][] = [
  [
    'npm run down, npm run up',
    async () => {
      await fill('a', 200);
      await down(() => undefined);
      log('  down');
      await expectBothEmptyAfterUp();
    },
  ],
  [
    'kill -9 of the emulator, npm run up',
    async () => {
      await fill('b', 200);
      await killEngines([readState()!.emulator ?? 'ministack']);
      await expectBothEmptyAfterUp();
    },
  ],
  [
    'kill -9 of both engines, npm run up',
    async () => {
      await fill('c', 100);
      await killEngines(['opensearch', readState()!.emulator ?? 'ministack']);
      await expectBothEmptyAfterUp();
    },
  ],
  [
    'Ctrl-C of npm start, npm start',
    async () => {
      await down(() => undefined);
      const first = await npmStart();
      await fill('d', 100);
      process.kill(-first.pid, 'SIGINT');
      log(`  Ctrl-C: npm start exited ${await first.exited}`);
      // npm may return before its child has stopped the engines: `down` removes the run's record last.
      for (let waited = 0; readState() !== undefined; waited += 250) {
        check(waited < 60_000, 'Ctrl-C did not stop the engines');
        await sleep(250);
      }
      const second = await npmStart();
      try {
        const result = verify();
        log(`  verify right after npm start (exit ${result.status}): ${result.output.replace(/\n/g, ' | ')}`);
        check(result.status === 0, 'cdc verify right after npm start did not exit 0');
        check(/new and empty/.test(second.output()), 'npm start did not say that the table is new');
      } finally {
        process.kill(-second.pid, 'SIGINT');
        log(`  Ctrl-C: npm start exited ${await second.exited}`);
      }
      await upAndSay();
    },
  ],
  [
    'a table that holds items: its mirror is never emptied',
    async () => {
      await fill('e', 50);
      const before = await mirrorDocuments();
      const same = await matchMirrorToTable(endpoints, DEFAULT_NAMES);
      log(`  same table: ${same.action}`);
      check(same.action === 'kept', `expected kept, got ${same.action}`);
      // A mirror with no record of its table (made before the record existed, or the record lost).
      await fetch(`${endpoints.openSearch}/${MIRROR_SOURCE_INDEX}/_doc/${DEFAULT_NAMES.tableName}?refresh=true`, { method: 'DELETE' });
      const unknown = await matchMirrorToTable(endpoints, DEFAULT_NAMES);
      log(`  unrecorded mirror, table with items: ${unknown.action}`);
      check(unknown.action === 'left', `expected left, got ${unknown.action}`);
      check((await mirrorDocuments()) === before, 'the mirror changed');
      await verifiedSoon(5000);
    },
  ],
];

/** The scenarios named (by a part of their name) on the command line; all without arguments. */
function chosenScenarios(): typeof scenarios {
  const wanted = process.argv.slice(2);
  const chosen = scenarios.filter(([name]) => wanted.length === 0 || wanted.some((part) => name.includes(part)));
  check(chosen.length > 0, `no scenario matches ${wanted.join(', ')}; the scenarios: ${scenarios.map(([name]) => name).join('; ')}`);
  return chosen;
}

async function main(): Promise<void> {
  const chosen = chosenScenarios();
  let passed = 0;
  let failed = 0;
  log(`engines on ${endpoints.aws} and ${endpoints.openSearch} (CDC_EMULATOR=${process.env.CDC_EMULATOR ?? 'ministack'})`);
  try {
    await upAndSay();
    for (const [name, scenario] of chosen) {
      const started = Date.now();
      log(`${name}`);
      try {
        await scenario();
        passed++;
        log(`ok - ${name} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
      } catch (error) {
        failed++;
        log(`not ok - ${name}: ${(error as Error).message}`);
        await up(() => undefined).catch(() => undefined);
      }
    }
  } finally {
    await down(() => undefined);
  }
  console.log(`restart: ${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  void down(() => undefined).finally(() => process.exit(1));
});
