/**
 * The package as a consumer gets it: `npm pack` (which builds it), installed into a throwaway CDK
 * app that uses DynamoDbOpenSearchCdc for its own table and synthesizes with plain `node`, with
 * neither esbuild installed nor Docker reachable. The packing runs on a copy of the sources, so
 * the working tree's dist/ (which `npx cdc` runs) is never rebuilt under other suites' feet.
 */
import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const PROJECT = path.resolve(__dirname, '..', '..');
const NOT_PACKED = new Set(['node_modules', 'dist', '.local', 'cdk.out', 'coverage', '.git']);
const CONSUMER_APP = `
const { App, Stack } = require('aws-cdk-lib');
const dynamodb = require('aws-cdk-lib/aws-dynamodb');
const { DynamoDbOpenSearchCdc, OpenSearchTarget } = require('dynamodb-opensearch-cdc');

const app = new App({ outdir: process.argv[2] });
const stack = new Stack(app, 'Consumer');
const table = new dynamodb.Table(stack, 'Orders', {
  tableName: 'orders',
  partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
  sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
  stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
});
const openSearch = OpenSearchTarget.domainEndpoint('https://search.example.com', 'arn:aws:es:eu-west-1:123456789012:domain/orders');
new DynamoDbOpenSearchCdc(stack, 'Cdc', { table, openSearch, mirrorIndex: 'orders' });
app.synth();
`;
const CONSUMER_TYPES = `
import { App, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { DynamoDbOpenSearchCdc, type DynamoDbOpenSearchCdcProps } from 'dynamodb-opensearch-cdc';

const stack = new Stack(new App(), 'Consumer');
const table = new dynamodb.Table(stack, 'Orders', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
const props: DynamoDbOpenSearchCdcProps = { table, openSearchEndpoint: 'http://localhost:9200', mirrorIndex: 'orders' };
const cdc: DynamoDbOpenSearchCdc = new DynamoDbOpenSearchCdc(stack, 'Cdc', props);
export const queueName: string = cdc.deadLetterQueue.queueName;
`;

let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-package-'));
});

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function run(command: string, args: string[], options: ExecFileSyncOptions): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: 'pipe', ...options }) as string;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout ?? ''}\n${stderr ?? ''}`, { cause: error });
  }
}

function versionOf(name: string): string {
  return JSON.parse(fs.readFileSync(path.join(PROJECT, 'node_modules', name, 'package.json'), 'utf8')).version;
}

/** A copy of the sources with the project's node_modules linked in, packed by npm (running `prepare`). */
function pack(): string {
  const source = path.join(tmp, 'source');
  fs.cpSync(PROJECT, source, { recursive: true, filter: (from) => !NOT_PACKED.has(path.relative(PROJECT, from)) });
  fs.symlinkSync(path.join(PROJECT, 'node_modules'), path.join(source, 'node_modules'), 'dir');
  run('npm', ['pack', '--pack-destination', tmp, '--no-fund', '--no-audit'], { cwd: source });
  const [tarball] = fs.readdirSync(tmp).filter((name) => name.endsWith('.tgz'));
  expect(tarball).toBeDefined();
  return path.join(tmp, tarball);
}

test('the packed package synthesizes in a consumer app without esbuild or Docker', () => {
  const tarball = pack();

  const consumer = path.join(tmp, 'consumer');
  fs.mkdirSync(consumer);
  fs.writeFileSync(
    path.join(consumer, 'package.json'),
    JSON.stringify({
      name: 'consumer',
      version: '1.0.0',
      private: true,
      dependencies: {
        'dynamodb-opensearch-cdc': `file:${tarball}`,
        'aws-cdk-lib': versionOf('aws-cdk-lib'),
        constructs: versionOf('constructs'),
      },
    }),
  );
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: consumer });
  for (const absent of ['esbuild', 'ts-node', 'typescript']) {
    expect(fs.existsSync(path.join(consumer, 'node_modules', absent))).toBe(false);
  }
  const installed = path.join(consumer, 'node_modules', 'dynamodb-opensearch-cdc');
  expect(fs.existsSync(path.join(installed, 'lambda', 'handler.ts'))).toBe(false);

  // Only node on PATH, and a Docker that cannot start: any bundling attempt would fail the synth.
  const pathDir = path.join(tmp, 'path');
  fs.mkdirSync(pathDir);
  fs.symlinkSync(process.execPath, path.join(pathDir, 'node'));
  const env = { HOME: tmp, TMPDIR: tmp, PATH: pathDir, CDK_DOCKER: path.join(tmp, 'no-docker') };

  fs.writeFileSync(path.join(consumer, 'app.js'), CONSUMER_APP);
  const out = path.join(consumer, 'cdk.out');
  run(process.execPath, ['app.js', out], { cwd: consumer, env });

  const template = JSON.parse(fs.readFileSync(path.join(out, 'Consumer.template.json'), 'utf8'));
  const functions = Object.values<any>(template.Resources).filter(
    (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Handler === 'index.handler',
  );
  expect(functions).toHaveLength(1);
  const fn = functions[0].Properties;
  expect(fn.Runtime).toBe('nodejs22.x');
  expect(fn.Environment.Variables).toMatchObject({
    KEY_SCHEMA: 'pk,sk',
    MIRROR_INDEX: 'orders',
    OPENSEARCH_ENDPOINT: 'https://search.example.com',
    OPENSEARCH_AUTH: 'sigv4',
  });
  expect(Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping')).toHaveLength(1);

  // The function's asset is the package's pre-built bundle, with every dependency inside.
  const assetHash = String(fn.Code.S3Key).replace(/\.zip$/, '');
  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'Consumer.assets.json'), 'utf8'));
  const asset = path.join(out, manifest.files[assetHash].source.path);
  expect(fs.readdirSync(asset).sort()).toEqual(['index.js', 'index.js.map']);
  const bundle = fs.readFileSync(path.join(asset, 'index.js'), 'utf8');
  expect(bundle).toBe(fs.readFileSync(path.join(installed, 'dist', 'handler-bundle', 'index.js'), 'utf8'));
  expect(bundle).toContain('CHANGE_LOG_INDEX');
  // (The AWS SDK's error messages quote `[require("@aws-sdk/signature-v4-crt");]` as advice: not a require.)
  expect(bundle).not.toMatch(/(?<!\[)require\(["'](@aws-sdk|@opensearch-project|@aws-lambda-powertools)\//);

  // The operator CLI runs from the installed package, compiled, without ts-node.
  expect(run(path.join(consumer, 'node_modules', '.bin', 'cdc'), ['--help'], { cwd: consumer, env })).toContain('redrive');

  // The types resolve through the package's `exports`.
  fs.writeFileSync(path.join(consumer, 'types.ts'), CONSUMER_TYPES);
  const compilerOptions = { strict: true, noEmit: true, skipLibCheck: true, module: 'node16', moduleResolution: 'node16', types: [] };
  fs.writeFileSync(path.join(consumer, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['types.ts'] }));
  run(process.execPath, [path.join(PROJECT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', consumer], { cwd: consumer });
}, 240_000); // typically 20-50 s; npm install of aws-cdk-lib dominates on a loaded machine
