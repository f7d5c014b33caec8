/**
 * Integration suites run against endpoints (AWS_ENDPOINT_URL, OPENSEARCH_URL; default :4566 and
 * :9200). When nothing listens there, the local engines are started (and stopped afterwards);
 * when something does (npm start, docker compose up), it is used as it is. An engine that cannot
 * start fails the suite with the reason: it is never skipped. Which emulator answers is asked over
 * HTTP and handed to the suites in CDC_TEST_EMULATOR (see test/support/live-system.ts), so a test
 * of what only one emulator does is skipped, visibly, on the other; with CDC_EMULATOR set, any
 * other emulator answering fails the run.
 */
import { emulatorAt, emulatorName } from '../../local/engines/emulators';
import { endpointsFromEnv, type Endpoints } from '../../local/endpoints';
import { httpOk } from '../../local/processes';
import { up } from '../../local/runner';
import { deployToEmulator, tableExists } from '../../local/deploy';
import { StepError } from '../../local/step-error';

// The SDK versions are pinned in the lockfile; its notice about future Node versions is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export default async function globalSetup(): Promise<void> {
  const endpoints = endpointsFromEnv();
  const [aws, openSearch] = await Promise.all([
    httpOk(`${endpoints.aws}/_localstack/health`),
    httpOk(`${endpoints.openSearch}/_cluster/health`),
  ]);
  const say = (line: string) => process.stdout.write(`[engines] ${line}\n`);
  if (aws && openSearch) {
    const running = await recordEmulator(endpoints);
    say(`using the running system: AWS ${endpoints.aws} (${running}), OpenSearch ${endpoints.openSearch}`);
    if (!(await tableExists(endpoints, 'test-table'))) {
      say('test-table not found: deploying the stack');
      await deployToEmulator(endpoints);
    }
    return;
  }
  if (aws !== openSearch) {
    throw new Error(
      `only ${aws ? `AWS (${endpoints.aws})` : `OpenSearch (${endpoints.openSearch})`} answers; the integration suite needs both. ` +
        'Stop the one running, or start the other (npm run up starts both).',
    );
  }
  say('nothing listens on the endpoints: starting the local engines');
  try {
    await up(say);
  } catch (error) {
    throw new Error(
      `the local engines could not start, so the integration suite cannot run:\n${error instanceof StepError ? error.describe() : error}`,
      { cause: error },
    );
  }
  (globalThis as Record<string, unknown>).__CDC_ENGINES_STARTED__ = true;
  await recordEmulator(endpoints);
}

async function recordEmulator(endpoints: Endpoints): Promise<string> {
  const running = await emulatorAt(endpoints.aws);
  if (running === undefined) {
    throw new Error(
      `the AWS endpoint ${endpoints.aws} answers, but neither as MiniStack (/_ministack/health) nor as LocalStack (/_localstack/info): ` +
        'the suites cannot tell which emulator they run on',
    );
  }
  if (process.env.CDC_EMULATOR && running !== emulatorName()) {
    throw new Error(
      `CDC_EMULATOR=${process.env.CDC_EMULATOR} asks for ${emulatorName()}, but ${running} answers on ${endpoints.aws}: ` +
        `stop it (npm run down with the same AWS_ENDPOINT_URL and OPENSEARCH_URL) or unset CDC_EMULATOR`,
    );
  }
  // Read by the suites (test workers start after global setup and inherit the environment).
  process.env.CDC_TEST_EMULATOR = running;
  return running;
}
