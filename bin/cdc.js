#!/usr/bin/env node
// `npx cdc …`: the operator CLI. Installed, it runs the compiled dist/ (built by `npm run build`,
// which `npm ci` and `npm install` run). In a checkout with the dev tools it runs the sources, so
// what is edited is what runs.
const fs = require('node:fs');
const path = require('node:path');

const source = path.join(__dirname, '..', 'cli', 'main.ts');
let tsNode;
try {
  tsNode = fs.existsSync(source) ? require.resolve('ts-node') : undefined;
} catch {
  tsNode = undefined;
}
if (tsNode) {
  require(tsNode).register({ transpileOnly: true, project: path.join(__dirname, '..', 'tsconfig.json') });
  require(source);
} else {
  try {
    require.resolve('../dist/cli/main.js');
  } catch {
    console.error('cdc: dist/ is missing; run `npm run build` first');
    process.exit(1);
  }
  require('../dist/cli/main.js');
}
