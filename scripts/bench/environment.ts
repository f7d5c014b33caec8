/** What a result depends on besides the code: the machine, Node, and the commit measured. */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import { PROJECT_ROOT } from '../../local';

export interface Machine {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryBytes: number;
  readonly node: string;
  readonly os: string;
  /** The 1, 5 and 15 minute load averages when the figures were taken: a shared machine's other work slows every figure. */
  readonly loadAverage: readonly number[];
}

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    memoryBytes: os.totalmem(),
    node: process.version,
    os: `${os.type()} ${os.release()} (${os.platform()} ${os.arch()})`,
    loadAverage: os.loadavg().map((load) => Math.round(load * 100) / 100),
  };
}

export interface Commit {
  readonly sha: string;
  readonly subject: string;
  /** Files changed since the commit (results files aside): the figures are then of the commit plus those changes. */
  readonly uncommittedChanges: string[];
}

export function commit(): Commit {
  const output = (...args: string[]) => spawnSync('git', args, { cwd: PROJECT_ROOT, encoding: 'utf8' }).stdout ?? '';
  const git = (...args: string[]) => output(...args).trim();
  return {
    sha: git('rev-parse', 'HEAD') || 'unknown',
    subject: git('log', '-1', '--format=%s'),
    uncommittedChanges: output('status', '--porcelain', '--untracked-files=no')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => line.slice(3))
      .filter((file) => !file.startsWith('bench/results/')),
  };
}
