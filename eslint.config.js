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
      // The manager-only names of @forkhooks/core's main index are deprecated there: our own code uses @forkhooks/core/manager.
      '@typescript-eslint/no-deprecated': 'error',
      'no-restricted-syntax': ['error', { selector: 'ExportAllDeclaration', message: 'list exports by name in index.ts' }],
    },
  },
  {
    files: ['packages/*/src/cli.ts', 'packages/*/src/**/cli/*.ts'],
    rules: { 'no-console': 'off' },
  },
  // otel-init's folders import one way (packages/otel-init/src/README.md): shared/ <- otlp/ <- the
  // signals (tracing/, metrics/, a future logs/) <- the entry points (index.ts, register.ts). A signal
  // reaches another only through tracing/seam.ts. A lazy require() is paired with an `import type` of
  // the same file, which these rules check.
  ...otelInitImportRules(),
);

function otelInitImportRules() {
  const src = 'packages/otel-init/src';
  const entry = { regex: '^(\\.\\./)+(index|register)(\\.m?js)?$', message: 'the entry points import the folders, never the other way' };
  const folder = (name, why) => ({ regex: `^(\\.\\./)+${name}(/|$)`, message: why });
  const rule = (files, patterns) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns }] } });
  const signals = ['tracing', 'metrics', 'logs'];
  return [
    rule([`${src}/shared/**/*.ts`], [
      entry,
      folder('otlp', 'shared/ is below the transport: pass what it needs in'),
      ...signals.map((s) => folder(s, 'shared/ serves every signal and knows none')),
    ]),
    rule([`${src}/otlp/**/*.ts`], [entry, ...signals.map((s) => folder(s, 'otlp/ is the transport: it imports only shared/ (pass signal-specific things in)'))]),
    ...signals.map((signal) =>
      rule(
        [`${src}/${signal}/**/*.ts`],
        [
          entry,
          ...signals
            .filter((other) => other !== signal)
            .map((other) =>
              other === 'tracing'
                ? { regex: '^(\\.\\./)+tracing/(?!seam$)', message: 'another signal reaches tracing only through tracing/seam.ts' }
                : folder(other, `${signal}/ may not import ${other}/: what both need goes to shared/ or otlp/`),
            ),
        ],
      ),
    ),
  ];
}
