/**
 * `npx cdk synth -c target=aws …` as users type it: the real CDK CLI, no Docker reachable, no AWS
 * credentials. It synthesizes, with cdk-nag's AWS Solutions checks run by the app itself (shown
 * by the same app refusing a non-compliant resource slipped into it), and the guard stops an
 * insecure endpoint with a message naming the setting.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const PROJECT = path.join(__dirname, '..', '..');
const CDK = path.join(PROJECT, 'node_modules', 'aws-cdk', 'bin', 'cdk');
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-cli-synth-'));
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

/** Adds a stack with a non-compliant SQS queue to the App of bin/app.ts (see the file). */
const NAG_PROBE = path.join(PROJECT, 'test', 'support', 'nag-probe.js');

const DOMAIN = [
  'target=aws',
  'openSearch=domain',
  'openSearchEndpoint=https://search-x.eu-west-1.es.amazonaws.com',
  'openSearchDomainArn=arn:aws:es:eu-west-1:123456789012:domain/x',
];

function synth(...context: string[]) {
  return synthWith({}, ...context);
}

function synthWith(extraEnv: NodeJS.ProcessEnv, ...context: string[]) {
  const env = {
    ...process.env,
    ...extraEnv,
    CDK_DOCKER: path.join(out, 'no-docker'),
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_PROFILE: '',
    CDK_DEFAULT_ACCOUNT: '',
  };
  return spawnSync(process.execPath, [CDK, 'synth', '-q', '-o', out, ...context.flatMap((pair) => ['-c', pair])], {
    cwd: PROJECT,
    env,
    encoding: 'utf8',
    timeout: 170_000,
  });
}

it('synthesizes the domain variant from the CLI without Docker, checked by the AWS Solutions rules', () => {
  // The checks run in this synth: the same app, given a non-compliant queue, is refused with their findings.
  const probed = synthWith({ NODE_OPTIONS: [process.env.NODE_OPTIONS, `--require ${NAG_PROBE}`].filter(Boolean).join(' ') }, ...DOMAIN);
  expect(probed.status).not.toBe(0);
  for (const rule of ['AwsSolutions-SQS3', 'AwsSolutions-SQS4']) {
    expect(probed.stderr).toMatch(new RegExp(`NagProbe/NonCompliantQueue/Resource[^\\n]*\\n[^\\n]*${rule}`));
  }
  // Refused by the probe's queue alone: the project's own stack has no finding.
  expect(probed.stderr).not.toMatch(/DynamoDbOpenSearchCdcStack\/\S+ aws-cdk-lib/);

  const run = synth(...DOMAIN);
  expect({ status: run.status, stderr: run.stderr.split('\n').filter((line) => /error|AwsSolutions/i.test(line)) }).toEqual({
    status: 0,
    stderr: [],
  });
  const template = JSON.parse(fs.readFileSync(path.join(out, 'DynamoDbOpenSearchCdcStack.template.json'), 'utf8'));
  const fn = Object.values<any>(template.Resources).find(
    (resource) => resource.Type === 'AWS::Lambda::Function' && resource.Properties.FunctionName === 'dynamodb-cdc-handler',
  );
  expect(fn.Properties.Environment.Variables).toMatchObject({
    OPENSEARCH_AUTH: 'sigv4',
    OPENSEARCH_SIGNING_SERVICE: 'es',
    CHANGE_LOG_RETENTION_DAYS: '30',
  });
}, 360_000);

it('stops an http endpoint on aws, naming the setting and the value (the opt-out is covered in aws-targets)', () => {
  const refused = synth('target=aws', 'openSearchEndpoint=http://search.internal:9200', 'allowInsecureOpenSearch=false');
  expect(refused.status).not.toBe(0);
  expect(refused.stderr).toContain('openSearchEndpoint');
  expect(refused.stderr).toContain('http://search.internal:9200');
}, 180_000);
