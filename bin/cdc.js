#!/usr/bin/env node
// `npx cdc …`: the operator CLI, run from its TypeScript sources.
require('ts-node').register({ transpileOnly: true, project: require('node:path').join(__dirname, '..', 'tsconfig.json') });
require('../cli/index.ts');
