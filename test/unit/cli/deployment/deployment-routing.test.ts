/**
 * The CLI's routing: the deployment's `mirrors` and `changeLog` compiled as the function compiles
 * them, each mirror's transform loaded from the user's project (the current directory).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { deploymentRouting, loadTransform, routedSettings } from '../../../../cli/deployment';
import { routeToMirror, toChangeRecord } from '../../../../lambda/core';
import type { FunctionSettings } from '../../../../lambda/settings';

const PROJECT = path.resolve(__dirname, '../../../..');
const indexes = { changeLog: 'dynamodb-cdc', mirror: 'test-table', deadLetter: 'dynamodb-cdc-deadletter' };
const settings = (routing?: FunctionSettings['routing']) => ({ indexes, ...(routing ? { routing } : {}) }) as FunctionSettings;
const snapshot = (image: Record<string, unknown>) =>
  toChangeRecord(
    { eventName: 'SNAPSHOT', dynamodb: { Keys: { pk: (image as any).pk }, NewImage: image as never } },
    { receivedAt: new Date() },
  );

describe("the CLI's routing", () => {
  it('is absent without mirrors and changeLog, so every path writes the one mirror as always', () => {
    expect(deploymentRouting(settings(), PROJECT)).toBeUndefined();
    expect(routedSettings(settings(), PROJECT)).not.toHaveProperty('compiledRouting');
  });

  it('compiles the configured mirrors, loading a TypeScript transform from the project', () => {
    const routing = deploymentRouting(
      settings({
        mirrors: [{ index: 'orders', transform: 'examples/transforms/order-total.ts#orderTotal' }, { index: 'users' }],
        changeLog: {},
      }),
      PROJECT,
    )!;
    expect(routing.mirrors.map((mirror) => mirror.index)).toEqual(['orders', 'users']);
    const order = snapshot({ pk: { S: 'ORDER#1' }, lines: { L: [{ M: { price: { N: '2.5' }, quantity: { N: '2' } } }] } });
    const routed = routeToMirror(routing.mirrors[0], order);
    expect(routed.action === 'enter' && JSON.stringify(routed.document.document)).toContain('"total":5');
  });

  it('keeps the changeLog-only routing on the one mirror', () => {
    const routing = deploymentRouting(settings({ changeLog: { exclude: ['ssn'] } }), PROJECT)!;
    expect(routing.mirrors.map((mirror) => mirror.index)).toEqual(['test-table']);
    expect(routing.exclusion).toBeDefined();
  });

  it('refuses a missing module, naming the mirror, the value and the directory', () => {
    expect(() => loadTransform('transforms/missing.ts#total', 'orders', PROJECT)).toThrow(
      new RegExp(
        `the transform "transforms/missing.ts#total" of mirror orders cannot be loaded from .*missing\\.ts.*current directory, ${PROJECT}`,
      ),
    );
  });

  it('refuses a module without that export, naming what it exports', () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-transform-'));
    fs.writeFileSync(path.join(directory, 'shape.js'), 'exports.other = (item) => item;');
    expect(() => loadTransform('shape.js#shape', 'users', directory)).toThrow(
      /the transform "shape.js#shape" of mirror users is not a function exported by shape.js \(it exports other\)/,
    );
    expect(typeof loadTransform('shape.js#other', 'users', directory)).toBe('function');
  });
});
