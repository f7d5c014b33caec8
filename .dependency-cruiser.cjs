/**
 * The architecture, checked on every `npm run lint` (dependency-cruiser):
 * - a folder's public face is its index.ts: a file imports another folder's files only through it;
 * - no import cycles;
 * - the function's layers point one way: core <- settings <- pipeline <- adapters <- handler;
 *   the construct (lib/) and the operator CLI (cli/) use the function's public faces, never its adapters'
 *   internals, and nothing shipped imports the local runner or the tests.
 */
const SOURCE = '^(bin|lib|lambda|cli|local|scripts)/';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'Two modules that import each other cannot be understood, tested or changed alone.',
      severity: 'error',
      from: { path: SOURCE },
      to: { circular: true },
    },
    // A folder's public face is its index.ts. A file may import files of its own folder and of the
    // folders it sits in; any other folder's files only through that folder's index.ts. One rule per
    // depth ($1, $2, $3: the importer's folders), as the rule language has no "is a prefix of".
    ...[
      ['^([^/]+)/[^/]+$', ['^$1/[^/]+$']],
      ['^([^/]+)/([^/]+)/[^/]+$', ['^$1/[^/]+$', '^$1/$2/[^/]+$']],
      ['^([^/]+)/([^/]+)/([^/]+)/[^/]+$', ['^$1/[^/]+$', '^$1/$2/[^/]+$', '^$1/$2/$3/[^/]+$']],
    ].map(([importer, inside]) => ({
      name: 'through-public-faces',
      comment: "Import another folder's files through its index.ts (its public surface), not by deep path.",
      severity: 'error',
      from: { path: importer, pathNot: '^test/' },
      to: { path: '^(lib|lambda|cli|local)/', pathNot: [...inside, '/index\\.ts$'] },
    })),
    {
      name: 'core-is-pure',
      comment: 'lambda/core: stream record in, typed documents and writes out; it knows no settings, transport or I/O.',
      severity: 'error',
      from: { path: '^lambda/core/' },
      to: { path: '^(lambda/(settings|pipeline|adapters)|lambda/handler|lib|cli|local)' },
    },
    {
      name: 'settings-on-core-only',
      severity: 'error',
      from: { path: '^lambda/settings/' },
      to: { path: '^(lambda/(pipeline|adapters)|lambda/handler|lib|cli|local)' },
    },
    {
      name: 'pipeline-knows-no-transport',
      comment: 'lambda/pipeline talks to the engine through its SearchPort only.',
      severity: 'error',
      from: { path: '^lambda/pipeline/' },
      to: { path: '^(lambda/adapters|lambda/handler|lib|cli|local)' },
    },
    {
      name: 'function-ships-alone',
      comment: 'The function is bundled from lambda/: it never imports the construct, the CLI or the local runner.',
      severity: 'error',
      from: { path: '^lambda/' },
      to: { path: '^(lib|cli|local|bin|scripts)/' },
    },
    {
      name: 'construct-uses-the-contract',
      comment: "The construct reads the function's settings and names, never its pipeline or adapters.",
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^(lambda/(pipeline|adapters)|lambda/handler|cli|local)' },
    },
    {
      name: 'cli-ships-without-dev-tools',
      comment: 'The CLI ships in the package; the local runner, the CDK app and the scripts do not.',
      severity: 'error',
      from: { path: '^cli/' },
      to: { path: '^(lib|local|bin|scripts)/' },
    },
    {
      name: 'no-tests-in-sources',
      severity: 'error',
      from: { path: SOURCE },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|cdk.out|\\.local)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['cjs', 'es6'],
  },
};
