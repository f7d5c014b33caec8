/**
 * LocalStack 4.14.0 (the version docker-compose.yml pins) as a host process, without Docker:
 * `localstack-core` from PyPI in its own Python 3.13 virtualenv, dependencies from the committed
 * lock (resolved as of the release date), DynamoDB Local from Maven placed where LocalStack looks
 * for it, kinesis-local (its Streams backend) fetched from npm by LocalStack's own installer, and
 * Lambda functions run as local Node.js processes by our executor plugin (local/localstack-executor).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { paths, PROJECT_ROOT } from '../paths';
import { run, startLogged, type Started } from '../processes';
import { StepError } from '../step-error';
import type { Engine } from './engine';
import { javaHome, python313Command, requireJava, requireJdkTool, requireMaven, requireNode } from './prerequisites';

export const LOCALSTACK_VERSION = '4.14.0';
/** uv installs the ~110 locked packages in seconds (pip takes minutes); pinned like everything else. */
const UV_VERSION = '0.13.8';
const DYNAMODB_LOCAL_VERSION = '2.6.1';
const SQLITE4JAVA_VERSION = '1.0.392';
const DYNAMODB_MAIN_CLASS = 'com.amazonaws.services.dynamodbv2.local.main.ServerRunner';

const LOCK_FILE = path.join(PROJECT_ROOT, 'local', 'engines', 'localstack-requirements.lock');
const EXECUTOR_DIR = path.join(PROJECT_ROOT, 'local', 'localstack-executor');

const home = path.join(paths.engines, `localstack-${LOCALSTACK_VERSION}`);
const venv = path.join(home, 'venv');
export const localStackPython = path.join(venv, 'bin', 'python');
/** LocalStack's FILESYSTEM_ROOT: its var/lib/localstack/lib holds Java, DynamoDB Local, kinesis-local. */
const filesystemRoot = path.join(home, 'filesystem');
const varLibs = path.join(filesystemRoot, 'var', 'lib', 'localstack', 'lib');
const dynamoDbDir = path.join(varLibs, 'dynamodb-local', '2');
const installedMark = path.join(home, '.installed');
const executorMark = path.join(home, '.executor-installed');
const installLog = path.join(paths.logs, 'localstack-install.log');

export function localStackEngine(port = 4566): Engine {
  return {
    name: 'localstack',
    port,
    healthUrl: `http://127.0.0.1:${port}/_localstack/health`,
    commandLineMark: 'localstack.runtime.main',
    startTimeoutMs: 120_000,
    // LocalStack honours partial batch responses for streams, as AWS does.
    deployContext: ['-c', 'failureReporting=partial'],
    hint: `read the log above; CDC_LOCAL_DIR/engines/localstack-${LOCALSTACK_VERSION} can be deleted to reinstall it (\`npm run engines:install\`)`,

    async install() {
      requireJava(17);
      requireNode();
      if (!fs.existsSync(installedMark)) {
        fs.rmSync(home, { recursive: true, force: true });
        fs.mkdirSync(home, { recursive: true });
        fs.mkdirSync(paths.logs, { recursive: true });
        fs.writeFileSync(installLog, `=== ${new Date().toISOString()} installing LocalStack ${LOCALSTACK_VERSION}\n`);
        installPython();
        installDynamoDbLocal();
        linkJava();
        installKinesisLocal();
        fs.writeFileSync(installedMark, new Date().toISOString());
      }
      installExecutor();
    },

    start(logFile: string): Started {
      const tmp = path.join(paths.run, 'localstack-tmp');
      fs.rmSync(tmp, { recursive: true, force: true });
      fs.mkdirSync(tmp, { recursive: true });
      return startLogged(localStackPython, ['-m', 'localstack.runtime.main'], {
        logFile,
        cwd: home,
        env: localStackEnvironment(port, tmp),
      });
    },

    async afterReady() {
      // DynamoDB starts on first use (JVM start, ~5-20 s): pay that now, beside OpenSearch's start.
      await fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.ListTables',
          authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
        },
        body: '{}',
        signal: AbortSignal.timeout(90_000),
      }).catch(() => undefined);
    },
  };
}

/** The settings the host run proves (see local/localstack-executor/FINDINGS.md). */
export function localStackEnvironment(port: number, tmp: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    // The machines have /.dockerenv: without this LocalStack writes to /var/lib/localstack.
    OVERRIDE_IN_DOCKER: '0',
    FILESYSTEM_ROOT: filesystemRoot,
    GATEWAY_LISTEN: `127.0.0.1:${port}`,
    // Host names in returned URLs (SQS queue URLs): one that resolves without DNS tricks.
    LOCALSTACK_HOST: `localhost:${port}`,
    SQS_ENDPOINT_STRATEGY: 'path',
    DNS_ADDRESS: '0',
    DISABLE_EVENTS: '1',
    SKIP_SSL_CERT_DOWNLOAD: '1',
    DYNAMODB_IN_MEMORY: '1',
    // Streams from DynamoDB Local itself: each item's changes in write order, images as stored.
    // (The default provider, through kinesis-local, can swap two quick writes to one item.) Its
    // sequence numbers restart at every start, with the table (see local/mirror-source.ts).
    PROVIDER_OVERRIDE_DYNAMODBSTREAMS: 'v2',
    LAMBDA_RUNTIME_EXECUTOR: 'local',
    // Function code is unzipped under $TMPDIR/lambda.
    TMPDIR: tmp,
    // Never our tests' endpoints: LocalStack's internal clients must talk to itself.
    AWS_ENDPOINT_URL: undefined,
    AWS_ENDPOINT_URL_S3: undefined,
  };
}

function step(
  name: string,
  command: string,
  args: readonly string[],
  hint: string,
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): string {
  const result = run(command, args, { timeoutMs: 15 * 60_000, ...options });
  fs.appendFileSync(installLog, `\n=== ${command} ${args.join(' ')}\n${result.stdout ?? ''}${result.stderr ?? ''}${result.error ?? ''}\n`);
  if (result.status !== 0) {
    throw new StepError(name, `${path.basename(command)} exited with ${result.status ?? result.error}`, hint, installLog);
  }
  return result.stdout ?? '';
}

function installPython(): void {
  const pypiHint = 'check that PyPI is reachable (pip settings, proxy), then run again';
  const python = python313Command();
  step(
    'installing LocalStack (Python 3.13 virtualenv)',
    python,
    ['-m', 'venv', venv],
    'install the venv module of Python 3.13 (apt-get install python3.13-venv)',
  );
  step(
    'installing LocalStack (uv from PyPI)',
    path.join(venv, 'bin', 'pip'),
    ['install', '--disable-pip-version-check', '-q', `uv==${UV_VERSION}`],
    pypiHint,
  );
  step(
    `installing LocalStack ${LOCALSTACK_VERSION} (PyPI, locked)`,
    path.join(venv, 'bin', 'uv'),
    ['pip', 'install', '--python', localStackPython, '--no-deps', '-r', LOCK_FILE],
    pypiHint,
    { env: { ...process.env, UV_PYTHON_DOWNLOADS: 'never', VIRTUAL_ENV: venv } },
  );
}

/** Our Lambda executor plugin, reinstalled whenever its sources change. */
function installExecutor(): void {
  const digest = executorDigest();
  if (fs.existsSync(executorMark) && fs.readFileSync(executorMark, 'utf8') === digest) return;
  fs.mkdirSync(paths.logs, { recursive: true });
  if (!fs.existsSync(installLog)) fs.writeFileSync(installLog, '');
  const build = path.join(home, 'executor-build');
  fs.rmSync(build, { recursive: true, force: true });
  // Built from a copy: setuptools writes build/ and *.egg-info next to the sources.
  fs.cpSync(EXECUTOR_DIR, build, {
    recursive: true,
    filter: (source) => !/(__pycache__|\.pytest_cache|\.egg-info|[/\\]build$)/.test(source),
  });
  step(
    'installing the LocalStack Lambda executor plugin (local/localstack-executor)',
    path.join(venv, 'bin', 'uv'),
    [
      'pip',
      'install',
      '--python',
      localStackPython,
      '--no-deps',
      '--no-build-isolation',
      '--reinstall-package',
      'cdc-localstack-executor',
      build,
    ],
    'read the install log; `npm run test:executor` runs the plugin tests',
    { env: { ...process.env, UV_PYTHON_DOWNLOADS: 'never', VIRTUAL_ENV: venv } },
  );
  fs.rmSync(build, { recursive: true, force: true });
  fs.writeFileSync(executorMark, digest);
}

function executorDigest(): string {
  const hash = crypto.createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (
          entry.name !== 'tests' &&
          !entry.name.startsWith('.') &&
          entry.name !== '__pycache__' &&
          !entry.name.endsWith('.egg-info') &&
          entry.name !== 'build'
        )
          walk(full);
      } else if (/\.(py|js|toml)$/.test(entry.name)) {
        hash.update(path.relative(EXECUTOR_DIR, full)).update(fs.readFileSync(full));
      }
    }
  };
  walk(EXECUTOR_DIR);
  return hash.digest('hex');
}

/**
 * DynamoDB Local from Maven Central into the folder LocalStack checks (its own installer
 * downloads a zip from a website). The Maven jar's manifest names zip-only files, so LocalStack
 * gets a manifest-only DynamoDBLocal.jar whose Class-Path lists the Maven jars, and an agent jar
 * with an empty premain where it expects its GSI-limit patch. Both are built here with the JDK.
 */
function installDynamoDbLocal(): void {
  requireMaven();
  const jdk = { jar: requireJdkTool('jar'), javac: requireJdkTool('javac') };
  const lib = path.join(dynamoDbDir, 'DynamoDBLocal_lib');
  const work = path.join(home, 'dynamodb-build');
  fs.mkdirSync(lib, { recursive: true });
  fs.mkdirSync(work, { recursive: true });
  downloadDynamoDbLocal(lib, work);
  buildLauncherJar(lib, work, jdk.jar);
  buildAgentJar(work, jdk);
  fs.rmSync(work, { recursive: true, force: true });
}

const JAR_HINT = 'check the JDK (jar, javac) with `jar --version`; JAVA_HOME selects another JDK';

/** The Maven jars and the sqlite4java native library into `lib`, the library also under the name DynamoDB Local loads. */
function downloadDynamoDbLocal(lib: string, work: string): void {
  const pom = path.join(work, 'pom.xml');
  fs.writeFileSync(pom, dynamoDbPom());
  step(
    'installing DynamoDB Local (Maven)',
    'mvn',
    ['-B', '-q', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${lib}`],
    'check that Maven Central is reachable (proxy settings in ~/.m2/settings.xml), then run again',
  );
  const so = fs.readdirSync(lib).find((name) => name.startsWith('libsqlite4java-linux-amd64') && name.endsWith('.so'));
  if (!so)
    throw new StepError(
      'installing DynamoDB Local (Maven)',
      'the sqlite4java native library was not downloaded',
      'delete the engines folder and run again',
      installLog,
    );
  fs.copyFileSync(path.join(lib, so), path.join(lib, 'libsqlite4java-linux-amd64.so'));
}

/** DynamoDBLocal.jar: a manifest naming the main class and, as its Class-Path, every jar in `lib`. */
function buildLauncherJar(lib: string, work: string, jar: string): void {
  const jars = fs
    .readdirSync(lib)
    .filter((name) => name.endsWith('.jar'))
    .sort();
  const manifest = path.join(work, 'MANIFEST.MF');
  fs.writeFileSync(
    manifest,
    manifestText({ 'Main-Class': DYNAMODB_MAIN_CLASS, 'Class-Path': jars.map((name) => `DynamoDBLocal_lib/${name}`).join(' ') }),
  );
  const empty = path.join(work, 'empty');
  fs.mkdirSync(empty, { recursive: true });
  fs.writeFileSync(path.join(empty, 'README'), 'Launcher jar: the classes are in DynamoDBLocal_lib (Maven Central).\n');
  step(
    'installing DynamoDB Local (launcher jar)',
    jar,
    ['--create', '--file', path.join(dynamoDbDir, 'DynamoDBLocal.jar'), '--manifest', manifest, '-C', empty, 'README'],
    JAR_HINT,
  );
}

/** ddb-local-loader-0.1.jar, the agent LocalStack always passes: an empty premain, compiled here. */
function buildAgentJar(work: string, jdk: { jar: string; javac: string }): void {
  const agentSources = path.join(work, 'agent');
  fs.mkdirSync(path.join(agentSources, 'classes'), { recursive: true });
  fs.writeFileSync(
    path.join(agentSources, 'NoopAgent.java'),
    'public final class NoopAgent {\n  public static void premain(String args, java.lang.instrument.Instrumentation instrumentation) {}\n}\n',
  );
  step(
    'installing DynamoDB Local (agent jar)',
    jdk.javac,
    ['--release', '17', '-d', path.join(agentSources, 'classes'), path.join(agentSources, 'NoopAgent.java')],
    JAR_HINT,
  );
  const agentManifest = path.join(work, 'AGENT.MF');
  fs.writeFileSync(agentManifest, manifestText({ 'Premain-Class': 'NoopAgent' }));
  step(
    'installing DynamoDB Local (agent jar)',
    jdk.jar,
    [
      '--create',
      '--file',
      path.join(dynamoDbDir, 'ddb-local-loader-0.1.jar'),
      '--manifest',
      agentManifest,
      '-C',
      path.join(agentSources, 'classes'),
      'NoopAgent.class',
    ],
    JAR_HINT,
  );
}

/** A JAR manifest: lines of at most 72 bytes, continuation lines start with a space. */
export function manifestText(attributes: Record<string, string>): string {
  const lines: string[] = ['Manifest-Version: 1.0'];
  for (const [name, value] of Object.entries(attributes)) {
    let rest = `${name}: ${value}`;
    lines.push(rest.slice(0, 72));
    rest = rest.slice(72);
    while (rest.length > 0) {
      lines.push(` ${rest.slice(0, 71)}`);
      rest = rest.slice(71);
    }
  }
  return `${lines.join('\n')}\n\n`;
}

/** LocalStack wants a Java 21 under its lib folder (else it downloads one): the machine's JDK 17+ serves. */
function linkJava(): void {
  const link = path.join(varLibs, 'java', '21');
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.rmSync(link, { force: true, recursive: true });
  fs.symlinkSync(javaHome(), link);
}

/** kinesis-local (LocalStack's DynamoDB Streams backend) through LocalStack's own npm installer. */
function installKinesisLocal(): void {
  const tmp = path.join(home, 'tmp');
  fs.mkdirSync(tmp, { recursive: true });
  step(
    'installing kinesis-local (npm, through LocalStack)',
    localStackPython,
    ['-c', 'from localstack.services.kinesis.packages import kinesismock_package as p; p.install(); print(p.get_installed_dir())'],
    'check that the npm registry is reachable (npm config get registry), then run again',
    { env: localStackEnvironment(0, tmp), cwd: home },
  );
}

function dynamoDbPom(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.cdc</groupId>
  <artifactId>dynamodb-local-for-localstack</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>com.amazonaws</groupId>
      <artifactId>DynamoDBLocal</artifactId>
      <version>${DYNAMODB_LOCAL_VERSION}</version>
    </dependency>
    <dependency>
      <groupId>com.almworks.sqlite4java</groupId>
      <artifactId>libsqlite4java-linux-amd64</artifactId>
      <version>${SQLITE4JAVA_VERSION}</version>
      <type>so</type>
    </dependency>
  </dependencies>
</project>
`;
}
