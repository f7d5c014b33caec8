/**
 * `--config <file>` of npm start, npm run up and npm run deploy:local: the file is read and
 * checked as the app will read it before anything starts, handed to the deploy as
 * `-c config=<absolute path>`, and tells the runner the table, keys and indexes it probes.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { configContext, DEFAULT_TARGET, localTarget, readLocalConfig } from '../../../local/config-file';
import { probeKey } from '../../../local/readiness-probe';
import { StepError } from '../../../local/step-error';

const PROJECT = path.resolve(__dirname, '../../..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-config-'));
const file = (name: string, text: string) => {
  fs.writeFileSync(path.join(scratch, name), text);
  return name;
};

describe('the --config file', () => {
  it("is read from the current directory and handed to the deploy by its absolute path, with the example's routing", () => {
    const config = readLocalConfig('examples/single-table.json', PROJECT);
    expect(config.file).toBe(path.join(PROJECT, 'examples/single-table.json'));
    expect(configContext(config)).toEqual(['-c', `config=${config.file}`]);
    expect(localTarget(config)).toEqual({
      tableName: 'single-table',
      changeLogIndex: 'dynamodb-cdc',
      mirrorIndex: 'single-table',
      mirrorIndexes: ['users', 'staff', 'orders', 'order-items'],
      keys: [
        { name: 'pk', type: 'S' },
        { name: 'sk', type: 'S' },
      ],
    });
  });

  it('absent, changes nothing: no context, the table and mirror the runner always used', () => {
    expect(configContext(undefined)).toEqual([]);
    expect(localTarget(undefined)).toBe(DEFAULT_TARGET);
  });

  it('takes the names it sets over cdk.json', () => {
    const config = readLocalConfig(file('names.json', '{ "tableName": "Orders", "partitionKey": "orderId:N" }'), scratch);
    expect(localTarget(config)).toMatchObject({ tableName: 'Orders', mirrorIndex: 'orders', keys: [{ name: 'orderId', type: 'N' }] });
  });

  it.each([
    ['missing', () => 'nowhere.json', /reading --config nowhere.json failed: .*nowhere.json cannot be read \(ENOENT\)/],
    ['not JSON', () => file('broken.json', '{ "mirrors": '), /not JSON/],
    ['not an object', () => file('list.json', '[]'), /does not hold a JSON object/],
    ['a key that is no setting', () => file('typo.json', '{ "mirror": [] }'), /the key mirror, which is no setting of the app/],
    ['a wrong value', () => file('wrong.json', '{ "mirrors": [{ "index": "Users" }] }'), /"mirrors" has at \[0\]\.index .*lowercase/],
  ])('is refused with what to fix when %s', (_case, name, message) => {
    const read = () => readLocalConfig(name(), scratch);
    expect(read).toThrow(StepError);
    expect(read).toThrow(message);
  });

  it.each(['up', 'start', 'deploy'])('stops `%s` before anything starts when the file is missing', (command) => {
    const run = spawnSync(
      process.execPath,
      [require.resolve('ts-node/dist/bin.js'), '--transpile-only', 'bin/local.ts', command, '--config', 'no-such-config.json'],
      // Ports nobody answers on: a run that went past the check would fail otherwise.
      {
        cwd: PROJECT,
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, AWS_ENDPOINT_URL: 'http://localhost:1', OPENSEARCH_URL: 'http://localhost:2' },
      },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('reading --config no-such-config.json failed');
    expect(run.stdout).not.toMatch(/installing|deploying/);
  });
});

describe("the readiness probe's key", () => {
  it('fits the table: text, number or bytes per key attribute', () => {
    const key = probeKey(
      [
        { name: 'pk', type: 'S' },
        { name: 'sk', type: 'N' },
      ],
      'probe-1',
    );
    expect(key.pk).toEqual({ S: 'probe-1' });
    expect(key.sk.N).toMatch(/^\d+$/);
    expect(probeKey([{ name: 'id', type: 'B' }], 'probe-1').id).toEqual({ B: Buffer.from('probe-1') });
  });
});
