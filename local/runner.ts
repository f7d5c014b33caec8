/**
 * Brings the local system up and down: the engines as background processes (PIDs recorded),
 * the stack deployed into the emulator, and a proof that a write reaches OpenSearch.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SEED_NAMES } from '../lambda/settings/seed-names';
import type { Engine } from './engines/engine';
import { miniStackEngine } from './engines/ministack';
import { openSearchEngine } from './engines/opensearch';
import { endpointsFromEnv, type Endpoints } from './endpoints';
import { paths } from './paths';
import { commandLineOf, httpOk, isAlive, portInUse, sleep, stopGroup } from './processes';
import { deployStack } from './deploy';
import { proveWritesReachOpenSearch } from './readiness-probe';
import { StepError } from './step-error';

export interface EngineRecord {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  readonly logFile: string;
  readonly commandLineMark: string;
}

export interface RunState {
  readonly engines: EngineRecord[];
  readonly endpoints: Endpoints;
  readonly startedAt: string;
}

export type Say = (line: string) => void;

export function engines(): Engine[] {
  return [openSearchEngine(9200), miniStackEngine(4566)];
}

export function readState(): RunState | undefined {
  try {
    return JSON.parse(fs.readFileSync(paths.state, 'utf8')) as RunState;
  } catch {
    return undefined;
  }
}

/** Engines of the recorded run that are still alive and still ours. */
export function liveEngines(state: RunState | undefined = readState()): EngineRecord[] {
  return (state?.engines ?? []).filter((engine) => isAlive(engine.pid) && commandLineOf(engine.pid).includes(engine.commandLineMark));
}

export async function installEngines(say: Say): Promise<void> {
  for (const engine of engines()) {
    const started = Date.now();
    await engine.install();
    say(`  ${engine.name} installed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
}

/**
 * Starts everything and returns once a write is seen in OpenSearch. Returns false when the
 * system was already running (nothing started).
 */
export async function up(say: Say): Promise<boolean> {
  const t0 = Date.now();
  const running = liveEngines();
  if (running.length === engines().length && (await allHealthy(running))) {
    say(`already running (PIDs ${running.map((engine) => `${engine.name} ${engine.pid}`).join(', ')}); \`npm run down\` stops it`);
    return false;
  }
  if (running.length > 0) {
    say('a previous run is half up: stopping it first');
    await down(say);
  }
  const list = engines();
  for (const engine of list) {
    if (await portInUse(engine.port)) {
      throw new StepError(
        `starting ${engine.name}`,
        `port ${engine.port} is already in use by another program`,
        `stop whatever listens on ${engine.port} (\`ss -ltnp 'sport = :${engine.port}'\` shows it; \`docker compose down\` if it is the Docker setup)`,
      );
    }
  }

  say('installing engines (first run only)…');
  await installEngines(say);

  const records: EngineRecord[] = [];
  const endpoints = endpointsFromEnv({});
  const save = () => {
    fs.mkdirSync(paths.run, { recursive: true });
    fs.writeFileSync(paths.state, JSON.stringify({ engines: records, endpoints, startedAt: new Date(t0).toISOString() } satisfies RunState, null, 2));
  };
  try {
    await Promise.all(
      list.map(async (engine) => {
        const logFile = path.join(paths.logs, `${engine.name}.log`);
        const started = Date.now();
        const { pid } = engine.start(logFile);
        records.push({ name: engine.name, pid, port: engine.port, logFile, commandLineMark: engine.commandLineMark });
        save();
        await waitHealthy(engine, pid, logFile);
        await engine.afterReady?.();
        say(`  ${engine.name} ready on port ${engine.port} (pid ${pid}, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
      }),
    );
    say('deploying the stack with cdklocal…');
    const deployStarted = Date.now();
    deployStack(endpoints);
    say(`  deployed (${((Date.now() - deployStarted) / 1000).toFixed(1)} s)`);
    const latency = await proveWritesReachOpenSearch(endpoints, { ...SEED_NAMES, timeoutMs: 60_000 });
    say(`  a write reached OpenSearch in ${latency} ms`);
  } catch (error) {
    await down(() => undefined);
    throw error;
  }
  say(`CDC ready  AWS ${endpoints.aws}  OpenSearch ${endpoints.openSearch}  (${((Date.now() - t0) / 1000).toFixed(1)} s; logs in ${paths.logs})`);
  return true;
}

/** Stops exactly the recorded engines, by PID. */
export async function down(say: Say): Promise<void> {
  const state = readState();
  const live = liveEngines(state);
  for (const engine of state?.engines ?? []) {
    if (!live.includes(engine)) say(`  ${engine.name} (pid ${engine.pid}) was not running`);
  }
  await Promise.all(
    live.map(async (engine) => {
      await stopGroup(engine.pid);
      say(`  stopped ${engine.name} (pid ${engine.pid})`);
    }),
  );
  fs.rmSync(paths.state, { force: true });
  if (!state) say('nothing recorded as running');
}

/**
 * Stops one recorded engine, waits `downtimeMs`, starts it again on the same data and records
 * the new PID: the fault tests' way to take OpenSearch away mid-stream.
 */
export async function restartEngine(name: string, downtimeMs: number, say: Say): Promise<void> {
  const state = readState();
  const record = liveEngines(state).find((engine) => engine.name === name);
  const engine = engines().find((candidate) => candidate.name === name);
  if (!state || !record || !engine) {
    throw new Error(`${name} is not running under the local runner (npm run up), so it cannot be stopped and restarted here`);
  }
  await stopGroup(record.pid);
  say(`stopped ${name} (pid ${record.pid}) for ${downtimeMs / 1000} s`);
  await sleep(downtimeMs);
  const { pid } = engine.start(record.logFile);
  await waitHealthy(engine, pid, record.logFile);
  const engines_ = state.engines.map((entry) => (entry.name === name ? { ...entry, pid } : entry));
  fs.writeFileSync(paths.state, JSON.stringify({ ...state, engines: engines_ }, null, 2));
  say(`restarted ${name} (pid ${pid})`);
}

export async function status(say: Say): Promise<boolean> {
  const state = readState();
  const live = liveEngines(state);
  for (const engine of state?.engines ?? []) {
    const alive = live.includes(engine);
    say(`${engine.name.padEnd(10)} pid ${String(engine.pid).padEnd(8)} port ${engine.port}  ${alive ? 'running' : 'not running'}  log ${engine.logFile}`);
  }
  if (!state) say('not running (no engines recorded)');
  return live.length > 0 && live.length === (state?.engines.length ?? 0);
}

async function allHealthy(records: readonly EngineRecord[]): Promise<boolean> {
  const byName = new Map(engines().map((engine) => [engine.name, engine]));
  const checks = await Promise.all(records.map((record) => httpOk(byName.get(record.name)!.healthUrl)));
  return checks.every(Boolean);
}

async function waitHealthy(engine: Engine, pid: number, logFile: string): Promise<void> {
  const deadline = Date.now() + engine.startTimeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) {
      throw new StepError(`starting ${engine.name}`, `the process exited during startup`, hintFor(engine), logFile);
    }
    if (await httpOk(engine.healthUrl, 1500)) return;
    await sleep(250);
  }
  throw new StepError(`starting ${engine.name}`, `not healthy after ${engine.startTimeoutMs / 1000}s (${engine.healthUrl})`, hintFor(engine), logFile);
}

function hintFor(engine: Engine): string {
  return engine.name === 'opensearch'
    ? `read ${path.join(paths.data, 'opensearch', 'node_1', 'logs')} for the cause; a JDK 17+ is required, and 1 GB of free memory (CDC_OPENSEARCH_HEAP to change)`
    : 'read the log above; delete .local/engines/ministack-* to reinstall it';
}
