/**
 * The engines the bench runs on: whatever answers on the endpoints is used as it is (the stack
 * deployed into it if its table is missing); when nothing answers, the local runner starts them
 * (`up`, which deploys the stack) and the bench stops them at the end (`down`, by PID).
 */
import * as path from 'node:path';
import { DEFAULT_NAMES } from '../../lambda/settings';
import { deployToEmulator, down, httpOk, paths, tableExists, up, type Endpoints, type Say } from '../../local';

export type EmulatorName = 'ministack' | 'localstack';

export interface EngineSet {
  readonly endpoints: Endpoints;
  readonly emulator: { readonly name: EmulatorName; readonly version: string };
  readonly openSearch: { readonly distribution: string; readonly version: string; readonly lucene?: string };
  /** Started by the bench (then stopped by it). */
  readonly startedHere: boolean;
  /** The emulator's log, where the function's lines go (local runner only). */
  readonly emulatorLog: string;
  stop(): Promise<void>;
}

export interface EngineRequest {
  readonly endpoints: Endpoints;
  /** The emulator to start when nothing answers (CDC_EMULATOR for the runner). */
  readonly emulator: EmulatorName;
}

/** Uses the engines answering on the endpoints, or starts them. */
export async function useOrStartEngines(request: EngineRequest, say: Say): Promise<EngineSet> {
  const { endpoints } = request;
  const [aws, openSearch] = await Promise.all([
    httpOk(`${endpoints.aws}/_localstack/health`),
    httpOk(`${endpoints.openSearch}/_cluster/health`),
  ]);
  if (aws !== openSearch) {
    throw new Error(
      `only ${aws ? `AWS (${endpoints.aws})` : `OpenSearch (${endpoints.openSearch})`} answers; the bench needs both: ` +
        'stop the one running, or start the other (npm run up starts both)',
    );
  }
  let startedHere = false;
  let stopped = false;
  if (aws) {
    say(`using the engines running on ${endpoints.aws} and ${endpoints.openSearch}`);
    if (!(await withRunnerEnvironment(request, () => tableExists(endpoints, DEFAULT_NAMES.tableName)))) {
      say(`${DEFAULT_NAMES.tableName} not found: deploying the stack`);
      await withRunnerEnvironment(request, () => deployToEmulator(endpoints));
    }
  } else {
    say(`nothing answers on ${endpoints.aws} and ${endpoints.openSearch}: starting ${request.emulator} and OpenSearch (npm run up)`);
    await withRunnerEnvironment(request, () => up((line) => say(`  ${line}`)));
    startedHere = true;
  }
  const emulator = await emulatorAt(endpoints.aws);
  if (emulator.name !== request.emulator) {
    throw new Error(
      `${emulator.name} answers on ${endpoints.aws}, and the bench was asked for ${request.emulator}: ` +
        `run it with --emulator ${emulator.name}, or stop the engines there (npm run down) so the bench starts ${request.emulator}`,
    );
  }
  return {
    endpoints,
    emulator,
    openSearch: await openSearchVersion(endpoints.openSearch),
    startedHere,
    emulatorLog: path.join(paths.logs, `${emulator.name}.log`),
    stop: async () => {
      if (!startedHere || stopped) return;
      stopped = true;
      say(`stopping the engines the bench started (${emulator.name}, OpenSearch)`);
      await withRunnerEnvironment(request, () => down((line) => say(`  ${line}`)));
    },
  };
}

/** The local runner reads its endpoints and emulator from the environment: set them for the call. */
async function withRunnerEnvironment<T>({ endpoints, emulator }: EngineRequest, action: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_ENDPOINT_URL: endpoints.aws, OPENSEARCH_URL: endpoints.openSearch, CDC_EMULATOR: emulator });
  try {
    return await action();
  } finally {
    process.env = saved;
  }
}

/** Which emulator answers, and its version: MiniStack's health says both; LocalStack's info its version. */
export async function emulatorAt(awsUrl: string): Promise<{ name: EmulatorName; version: string }> {
  const ministack = await getJson(`${awsUrl}/_ministack/health`);
  if (ministack) return { name: 'ministack', version: String(ministack.version ?? 'unknown') };
  const localstack = await getJson(`${awsUrl}/_localstack/info`);
  if (typeof localstack?.version === 'string') return { name: 'localstack', version: localstack.version };
  throw new Error(`${awsUrl} answers, but neither as MiniStack (/_ministack/health) nor as LocalStack (/_localstack/info)`);
}

/** OpenSearch's own answer to `GET /`. */
export async function openSearchVersion(url: string): Promise<EngineSet['openSearch']> {
  const root = await getJson(url);
  const version = root?.version as { distribution?: string; number?: string; lucene_version?: string } | undefined;
  return {
    distribution: version?.distribution ?? 'elasticsearch?',
    version: version?.number ?? 'unknown',
    lucene: version?.lucene_version,
  };
}

async function getJson(url: string): Promise<Record<string, unknown> | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    return response.ok ? ((await response.json()) as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
