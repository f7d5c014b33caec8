// Lint rules: typescript-eslint's recommended set, formatting left to prettier, and short bodies.
// Module boundaries and import cycles are checked by dependency-cruiser (.dependency-cruiser.cjs).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', '.local/', 'dist/', 'coverage/', 'local/localstack-executor/tests/functions/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: {
      globals: { console: 'readonly', process: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly' },
    },
    rules: {
      // Unused names are type errors already (tsconfig noUnusedLocals / noUnusedParameters).
      '@typescript-eslint/no-unused-vars': 'off',
      // Stored documents and SDK responses are read as loose JSON at the adapters' edges.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // A function longer than this says why in a comment, with an eslint-disable-next-line.
    files: ['lib/**/*.ts', 'lambda/**/*.ts', 'cli/**/*.ts', 'local/**/*.ts', 'bin/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true, IIFEs: true }] },
  },
  {
    // Tests load modules afresh (jest.isolateModules) and read JSON fixtures with require.
    files: ['**/*.js', '**/*.cjs', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
