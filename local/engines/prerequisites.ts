/** The few tools the local engines need from the machine, with what to do when one is missing. */
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
    throw new StepError('checking Java', `no java found (${javaCommand()})`, `install a JDK ${minimum}+ (for example apt-get install openjdk-17-jdk-headless) or set JAVA_HOME`);
  }
  const major = match[1] === '1' ? Number(match[2]) : Number(match[1]);
  if (major < minimum) {
    throw new StepError('checking Java', `java ${major} found, OpenSearch needs ${minimum}+`, `install a JDK ${minimum}+ or point JAVA_HOME at one`);
  }
}

export function requireMaven(): void {
  const result = run('mvn', ['-v']);
  if (result.error || result.status !== 0) {
    throw new StepError('checking Maven', 'mvn is not on the PATH', 'install Maven 3.6+ (for example apt-get install maven); it downloads OpenSearch once');
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
    throw new StepError('checking Python', `no ${pythonCommand()} found`, `install Python ${minimum.join('.')}+ with venv (apt-get install python3 python3-venv), or set CDC_PYTHON`);
  }
  if (major < minimum[0] || (major === minimum[0] && minor < minimum[1])) {
    throw new StepError('checking Python', `Python ${version} found, MiniStack needs ${minimum.join('.')}+`, `install Python ${minimum.join('.')}+ or set CDC_PYTHON to one`);
  }
}
