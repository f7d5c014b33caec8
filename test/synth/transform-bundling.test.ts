/**
 * A mirror's transform bundled into the function: the generated entry registers it before the
 * handler loads, the asset holds it, and a module that is missing, or does not export that name as
 * a function, fails synth naming the prop, the value and what is wrong.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import type { MirrorRoute } from '../../lambda/core';
import { handlerCode } from '../../lib/handler-code';
import { transformEntry } from '../../lib/transform-entry';
import { ValidationError } from '../../lib/validation-error';
import { routedConstructStack } from '../support/routed-construct';

const example: MirrorRoute[] = require('../../examples/single-table.json').mirrors;
const HANDLER_SOURCE = path.resolve(__dirname, '..', '..', 'lambda', 'handler.ts');

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function synth(mirrors: readonly MirrorRoute[]) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-transform-synth-'));
  outdirs.push(outdir);
  const app = new App({ outdir });
  routedConstructStack({ mirrors: [...mirrors] }, app);
  return app.synth();
}

/** The function's bundled code, as the assembly holds it. */
function handlerBundle(assembly: ReturnType<App['synth']>): string {
  const template = assembly.getStackByName('S').template;
  const [fn] = Object.values(template.Resources as Record<string, any>).filter(
    (resource) => resource.Type === 'AWS::Lambda::Function' && resource.Properties.Handler === 'index.handler',
  );
  const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
  return path.join(assembly.directory, `asset.${hash}`, 'index.js');
}

let scratch: string;
beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-transform-module-'));
});
afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('a mirror transform', () => {
  it("is bundled into the function: the example's orderTotal is in the asset, which exports the handler", () => {
    const bundle = handlerBundle(synth(example));
    const code = fs.readFileSync(bundle, 'utf8');
    expect(code).toContain('lineCount');
    expect(typeof require(bundle).handler).toBe('function');
  });

  it('is not bundled when no mirror names one: the handler is the entry', () => {
    const code = fs.readFileSync(handlerBundle(synth([{ index: 'orders' }])), 'utf8');
    expect(code).not.toContain('lineCount');
  });

  it('is registered by the entry before the handler module loads', () => {
    const entry = transformEntry(HANDLER_SOURCE, [
      { index: 'orders', transform: 'examples/transforms/order-total.ts#orderTotal', setting: 'mirrors[1].transform' },
    ]);
    const lines = fs.readFileSync(entry, 'utf8').split('\n');
    const registered = lines.findIndex((line) => line.includes('"orders": require('));
    const handler = lines.findIndex((line) => line.includes(JSON.stringify(HANDLER_SOURCE.replace(/\.ts$/, ''))));
    expect(registered).toBeGreaterThan(0);
    expect(handler).toBeGreaterThan(registered);
    expect(lines.join('\n')).toContain(JSON.stringify(path.resolve('examples/transforms/order-total.ts')));
    expect(
      transformEntry(HANDLER_SOURCE, [{ index: 'orders', transform: 'examples/transforms/order-total.ts#orderTotal', setting: 'x' }]),
    ).toBe(entry);
  });

  it.each<[string, (dir: string) => string, RegExp]>([
    [
      'a module that does not exist',
      () => 'examples/transforms/no-such-module.ts#orderTotal',
      /Cdc: mirrors\[1\]\.transform names the module .*no-such-module\.ts, which does not exist \(module paths are relative to the CDK app's working directory, .*\), got "examples\/transforms\/no-such-module\.ts#orderTotal"/,
    ],
    [
      'a module without that export',
      () => 'examples/transforms/order-total.ts#orderSum',
      /Cdc: mirrors\[1\]\.transform names the export orderSum, which .*order-total\.ts does not export \(it exports orderTotal\), got "examples\/transforms\/order-total\.ts#orderSum"/,
    ],
    [
      'an export that is not a function',
      (dir) => {
        fs.writeFileSync(path.join(dir, 'constant.ts'), 'export const notATransform: number = 42;\n');
        return `${path.join(dir, 'constant')}#notATransform`;
      },
      /Cdc: mirrors\[1\]\.transform names the export notATransform of .*constant\.ts, which is a number, not a function/,
    ],
    [
      'a module that does not compile',
      (dir) => {
        fs.writeFileSync(path.join(dir, 'broken.ts'), 'export const t = (;\n');
        return `${path.join(dir, 'broken.ts')}#t`;
      },
      /Cdc: mirrors\[1\]\.transform names the module .*broken\.ts, which does not bundle: /,
    ],
    [
      'a module that throws when loaded',
      (dir) => {
        fs.writeFileSync(path.join(dir, 'throws.js'), "throw new Error('no config here');\n");
        return `${path.join(dir, 'throws.js')}#t`;
      },
      /Cdc: mirrors\[1\]\.transform names the module .*throws\.js, which throws when loaded: no config here/,
    ],
  ])('fails synth for %s, naming the prop, the value and what is wrong', (_case, transform, message) => {
    const mirrors = [{ index: 'users' }, { index: 'orders', transform: transform(scratch) }];
    expect(() => synth(mirrors)).toThrow(ValidationError);
    expect(() => synth(mirrors)).toThrow(message);
  });

  it('cannot go into the pre-built bundle of the installed package: a SettingError says so', () => {
    fs.mkdirSync(path.join(scratch, 'dist', 'handler-bundle'), { recursive: true });
    fs.writeFileSync(path.join(scratch, 'dist', 'handler-bundle', 'index.js'), '');
    expect(() =>
      handlerCode(scratch, [
        { index: 'orders', transform: 'examples/transforms/order-total.ts#orderTotal', setting: 'mirrors[1].transform' },
      ]),
    ).toThrow(/mirrors\[1\]\.transform cannot be bundled: this installation of the package carries the pre-built function only/);
    expect(handlerCode(scratch).handler).toBe('index.handler');
  });
});
