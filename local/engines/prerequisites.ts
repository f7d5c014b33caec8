/** The few tools the local engines need from the machine, with what to do when one is missing. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StepError } from '../step-error';
import { run } from '../processes';

export function javaCommand(): string {
  return process.env.JAVA_HOME ? `${process.env.JAVA_HOME}/bin/java` : 'java';
}

export function requireJava(minimum: number): void {
  const result = run(javaCommand(), ['-version']);
  const text = `${result.stderr ?? ''}${result.stdout ?? ''}`;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(text);
  if (result.error || !match) {
    throw new StepError(
      'checking Java',
      `no java found (${javaCommand()})`,
      `install a JDK ${minimum}+ (for example apt-get install openjdk-17-jdk-headless) or set JAVA_HOME`,
    );
  }
  const major = match[1] === '1' ? Number(match[2]) : Number(match[1]);
  if (major < minimum) {
    throw new StepError(
      'checking Java',
      `java ${major} found, OpenSearch needs ${minimum}+`,
      `install a JDK ${minimum}+ or point JAVA_HOME at one`,
    );
  }
}

export function requireMaven(): void {
  const result = run('mvn', ['-v']);
  if (result.error || result.status !== 0) {
    throw new StepError(
      'checking Maven',
      'mvn is not on the PATH',
      'install Maven 3.6+ (for example apt-get install maven); it downloads OpenSearch once',
    );
  }
}

export function pythonCommand(): string {
  return process.env.CDC_PYTHON ?? 'python3';
}

export function requirePython(minimum: [number, number]): void {
  const result = run(pythonCommand(), ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])']);
  const version = (result.stdout ?? '').trim();
  const [major, minor] = version.split('.').map(Number);
  if (result.error || result.status !== 0 || !major) {
    throw new StepError(
      'checking Python',
      `no ${pythonCommand()} found`,
      `install Python ${minimum.join('.')}+ with venv (apt-get install python3 python3-venv), or set CDC_PYTHON`,
    );
  }
  if (major < minimum[0] || (major === minimum[0] && minor < minimum[1])) {
    throw new StepError(
      'checking Python',
      `Python ${version} found, MiniStack needs ${minimum.join('.')}+`,
      `install Python ${minimum.join('.')}+ or set CDC_PYTHON to one`,
    );
  }
}

/** The Java installation behind `javaCommand()`: JAVA_HOME, else the real path of `java` on the PATH. */
export function javaHome(): string {
  if (process.env.JAVA_HOME) return process.env.JAVA_HOME;
  const result = run('sh', ['-c', 'readlink -f "$(command -v java)"']);
  const java = (result.stdout ?? '').trim();
  if (!java)
    throw new StepError(
      'checking Java',
      'no java found on the PATH',
      'install a JDK 17+ (for example apt-get install openjdk-17-jdk-headless) or set JAVA_HOME',
    );
  return path.dirname(path.dirname(java));
}

/** The JDK's own tools (jar, javac): LocalStack's DynamoDB needs two small jars built at install time. */
export function requireJdkTool(tool: 'jar' | 'javac'): string {
  const command = path.join(javaHome(), 'bin', tool);
  const result = run(command, ['--version']);
  if (result.error || result.status !== 0) {
    throw new StepError(
      'checking the JDK',
      `${command} not found (a JRE without the JDK tools?)`,
      'install a full JDK 17+ (apt-get install openjdk-17-jdk-headless) or point JAVA_HOME at one',
    );
  }
  return command;
}

export function requireNode(): void {
  for (const tool of ['node', 'npm']) {
    const result = run(tool, ['--version']);
    if (result.error || result.status !== 0) {
      throw new StepError(
        'checking Node.js',
        `${tool} is not on the PATH`,
        'install Node.js 20+ with npm: LocalStack runs the functions with it and fetches kinesis-local with npm',
      );
    }
  }
}

/**
 * Python 3.13 for LocalStack 4.14 (3.11 fails in its package API): CDC_PYTHON313, else pyenv's
 * newest 3.13, else python3.13 on the PATH.
 */
export function python313Command(): string {
  const candidates: string[] = [];
  if (process.env.CDC_PYTHON313) candidates.push(process.env.CDC_PYTHON313);
  const pyenvRoot = process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv');
  try {
    const versions = fs
      .readdirSync(path.join(pyenvRoot, 'versions'))
      .filter((name) => /^3\.13\.\d+$/.test(name))
      .sort((a, b) => Number(b.split('.')[2]) - Number(a.split('.')[2]));
    candidates.push(...versions.map((name) => path.join(pyenvRoot, 'versions', name, 'bin', 'python3.13')));
  } catch {
    /* no pyenv */
  }
  candidates.push('python3.13');
  for (const candidate of candidates) {
    const result = run(candidate, ['-c', 'import sys, venv; print("%d.%d" % sys.version_info[:2])']);
    if (result.status === 0 && (result.stdout ?? '').trim() === '3.13') return candidate;
    if (candidate === process.env.CDC_PYTHON313) {
      throw new StepError(
        'checking Python 3.13',
        `CDC_PYTHON313=${candidate} is not a working Python 3.13 with venv (${(result.stdout || result.stderr || String(result.error)).trim()})`,
        'point CDC_PYTHON313 at a python3.13 executable',
      );
    }
  }
  throw new StepError(
    'checking Python 3.13',
    'LocalStack 4.14 needs Python 3.13 and none was found (CDC_PYTHON313, pyenv versions 3.13.x, python3.13 on the PATH)',
    'install it (apt-get install python3.13 python3.13-venv on Debian 13, or `pyenv install 3.13`), or set CDC_PYTHON313 to its path',
  );
}
