#!/usr/bin/env node
// `npm run build` (also run by `prepare`): compile bin, lib, lambda, cli and local to dist/, then
// bundle the function into dist/handler-bundle with the options the construct bundles it with
// from source, so the installed package synthesizes without esbuild or Docker.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], {
  cwd: root,
  stdio: 'inherit',
});

const { handlerBuildOptions, HANDLER_BUNDLE_DIR } = require('../dist/lib/handler-code');
require('esbuild').buildSync({ ...handlerBuildOptions(root, path.join(HANDLER_BUNDLE_DIR, 'index.js')), logLevel: 'warning' });
