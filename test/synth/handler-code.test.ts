/** The function's code: bundled from the TypeScript entry in a checkout, the pre-built bundle when installed. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { HANDLER_BUNDLING, handlerCode } from '../../lib/handler-code';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-handler-code-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function write(file: string): void {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), '');
}

test('in this checkout: the TypeScript entry, bundled by CDK', () => {
  const code = handlerCode();
  expect(code).toEqual({
    entry: path.resolve(__dirname, '..', '..', 'lambda', 'handler.ts'),
    handler: 'index.handler',
    bundling: HANDLER_BUNDLING,
  });
});

test('the entry wins when both the entry and a bundle are there', () => {
  write('lambda/handler.ts');
  write('dist/handler-bundle/index.js');
  expect(handlerCode(root)).toMatchObject({ entry: path.join(root, 'lambda', 'handler.ts'), handler: 'index.handler' });
});

test('installed (no TypeScript entry): the pre-built bundle as an asset, without bundling', () => {
  write('dist/handler-bundle/index.js');
  const code = handlerCode(root);
  expect(code.entry).toBeUndefined();
  expect(code.bundling).toBeUndefined();
  expect(code.handler).toBe('index.handler');
  expect(code.code).toBeInstanceOf(lambda.AssetCode);
  expect((code.code as lambda.AssetCode).path).toBe(path.join(root, 'dist', 'handler-bundle'));
});

test('neither: an error that says to build', () => {
  expect(() => handlerCode(root)).toThrow(/run npm run build/);
});
