#!/usr/bin/env node
// `npx cdc …`: the operator CLI, compiled to dist/ by `npm run build` (run by `npm ci` and `npm install`).
try {
  require.resolve('../dist/cli/index.js');
} catch {
  console.error('cdc: dist/ is missing; run `npm run build` first');
  process.exit(1);
}
require('../dist/cli/index.js');
