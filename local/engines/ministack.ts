/**
 * MiniStack, the LocalStack-compatible AWS emulator that runs Node.js functions as local
 * processes, installed from PyPI into its own virtualenv and run in memory on port 4566.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { paths } from '../paths';
import { run, startLogged, type Started } from '../processes';
import { StepError } from '../step-error';
import type { Engine } from './engine';
import { pythonCommand, requirePython } from './prerequisites';

export const MINISTACK_VERSION = '1.5.33';

const venv = path.join(paths.engines, `ministack-${MINISTACK_VERSION}`);
const installedMark = path.join(venv, '.installed');

export function miniStackEngine(port = 4566): Engine {
  return {
    name: 'ministack',
    port,
    healthUrl: `http://127.0.0.1:${port}/_localstack/health`,
    commandLineMark: 'ministack',
    startTimeoutMs: 60_000,
    // MiniStack ignores partial batch responses for streams: only a thrown error is retried.
    deployContext: ['-c', 'failureReporting=error'],
    hint: `read the log above; delete CDC_LOCAL_DIR/engines/ministack-${MINISTACK_VERSION} (default .local/engines) to reinstall it`,

    async install() {
      if (fs.existsSync(installedMark)) return;
      requirePython([3, 10]);
      const log = path.join(paths.logs, 'ministack-install.log');
      fs.mkdirSync(paths.logs, { recursive: true });
      const fail = (what: string, output: string) => {
        fs.writeFileSync(log, output);
        return new StepError(
          'installing MiniStack (PyPI)',
          what,
          'check that PyPI is reachable and python3-venv is installed, then run again',
          log,
        );
      };
      let result = run(pythonCommand(), ['-m', 'venv', venv]);
      if (result.status !== 0) throw fail('python -m venv failed', `${result.stdout}${result.stderr}`);
      result = run(path.join(venv, 'bin', 'pip'), ['install', '--disable-pip-version-check', '-q', `ministack==${MINISTACK_VERSION}`], {
        timeoutMs: 15 * 60_000,
      });
      if (result.status !== 0) throw fail(`pip install ministack==${MINISTACK_VERSION} failed`, `${result.stdout}${result.stderr}`);
      fs.writeFileSync(installedMark, new Date().toISOString());
    },

    start(logFile: string): Started {
      const tmp = path.join(paths.run, 'ministack-tmp');
      fs.mkdirSync(tmp, { recursive: true });
      return startLogged(path.join(venv, 'bin', 'ministack'), [], {
        logFile,
        env: {
          ...process.env,
          BIND_HOST: '127.0.0.1',
          GATEWAY_PORT: String(port),
          // In memory: MiniStack 1.5.33's PERSIST_STATE=1 saves only on a clean shutdown (a kill -9
          // brings back an older table), keeps no stream records, and resumes the event source
          // mapping at its old offset into the emptied stream (the next changes are skipped). So each
          // start has a new table, and `up` empties OpenSearch's CDC indexes to match (mirror-source.ts).
          PERSIST_STATE: '0',
          // Not needed here: keep the emulator to the one port.
          IOT_MTLS_ENABLED: '0',
          SFTP_ENABLED: '0',
          TMPDIR: tmp,
        },
      });
    },
  };
}
