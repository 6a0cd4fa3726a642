// Lint what matters in a library whose whole job is awaiting async hooks (the OTel JS habits):
// no floating promises, type-only imports marked, no console in library code, no `export *`.
const tseslint = require('typescript-eslint');

module.exports = tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/out-*/**', 'coverage/**', 'bench/results/**'] },
  {
    files: ['packages/*/src/**/*.ts', 'examples/*/src/**/*.ts'],
    extends: [tseslint.configs.recommended],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'error',
      'no-restricted-syntax': ['error', { selector: 'ExportAllDeclaration', message: 'list exports by name in index.ts' }],
    },
  },
  {
    files: ['packages/*/src/cli.ts', 'packages/*/src/**/cli/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
